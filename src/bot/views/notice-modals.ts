import type { View } from '@slack/types';
import { LIMITS, plain, safe, section } from './text';

/**
 * Small modals that stand in for a form while the bot works, or say how a submission ended when the
 * answer came after Slack's 3 s (the form is gone by then: the outcome replaces it).
 */
export function noticeModal(input: {
  readonly callbackId: string;
  readonly title: string;
  readonly lines: readonly string[];
  readonly privateMetadata?: string;
}): View {
  return {
    type: 'modal',
    callback_id: input.callbackId,
    title: plain(input.title, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalTitle),
    ...(input.privateMetadata ? { private_metadata: input.privateMetadata } : {}),
    blocks: input.lines.slice(0, LIMITS.modalBlocks).map((l) => section(l)),
  };
}

/** While a slow submission is still being decided. */
export function workingModal(callbackId: string, title: string, what: string): View {
  return noticeModal({
    callbackId,
    title,
    lines: [`:hourglass_flowing_sand: ${what}`, 'This takes a little longer than usual; the outcome appears here.'],
  });
}

/** A refusal or a problem, in ASR's or the bot's words (escaped), with what to do next. */
export function problemModal(callbackId: string, title: string, problem: string, next: string): View {
  return noticeModal({ callbackId, title, lines: [`:warning: ${safe(problem, 2800)}`, next] });
}
