import { z } from 'zod';
import { channelAllowed } from '../../domain/approval';
import { ACTION, BLOCK } from '../ids';
import type { RequestMetadata } from '../views/request-metadata';

const chosen = z.object({
  [BLOCK.channel]: z.object({ [ACTION.channel]: z.object({ selected_conversation: z.string().nullish() }) }),
});

/** The conversation picked in the request modal's channel input (App Home), if any. */
export function chosenChannel(stateValues: unknown): string | undefined {
  const parsed = chosen.safeParse(stateValues);
  return parsed.success ? (parsed.data[BLOCK.channel][ACTION.channel].selected_conversation ?? undefined) : undefined;
}

export type RequestChannel = { readonly channelId: string } | { readonly error: string; readonly block?: string };

/**
 * Where the run card of a submitted request goes: the channel /failback was typed in, or — for a
 * request made from App Home — the one picked in the modal, refused inline when the allow-list does
 * not name it.
 */
export function requestChannel(
  meta: RequestMetadata,
  stateValues: unknown,
  allowed: readonly string[] | undefined,
): RequestChannel {
  if (meta.channelId !== undefined) {
    return channelAllowed(allowed, meta.channelId)
      ? { channelId: meta.channelId }
      : { error: 'failback-bot is not enabled in the channel this request came from.' };
  }
  const picked = chosenChannel(stateValues);
  if (!picked) return { error: 'Choose the channel where the run card goes.', block: BLOCK.channel };
  if (!channelAllowed(allowed, picked)) {
    return {
      error: 'failback-bot is not enabled in that channel. Choose the incident channel it serves.',
      block: BLOCK.channel,
    };
  }
  return { channelId: picked };
}
