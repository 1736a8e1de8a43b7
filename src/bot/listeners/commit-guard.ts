import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import {
  mayCancel,
  mayCommit,
  mayHandleFailedVms,
  mayReprotect,
  mayRequest,
  type ApprovalVerdict,
} from '../../domain/approval';
import type { Run } from '../../domain/run';
import type { BotDeps } from '../deps';

async function inApproverGroup(deps: BotDeps, userId: string): Promise<boolean> {
  return deps.policy.approverUsers.includes(userId) ? false : deps.approvers.isInApproverGroup(userId);
}

/** An approver by user id or through a configured user group. */
export async function isApprover(deps: BotDeps, userId: string): Promise<boolean> {
  return deps.policy.approverUsers.includes(userId) || (await inApproverGroup(deps, userId));
}

/** The approval policy applied to a run re-read from the store (never to ids carried in the click). */
export async function commitVerdict(deps: BotDeps, run: Run, userId: string): Promise<ApprovalVerdict> {
  return mayCommit(deps.policy, userId, run.requesterId, await inApproverGroup(deps, userId));
}

/** Who may act on a run: commit (four-eyes), reprotect, or retry/leave out failed VMs. */
export type RunAction = 'commit' | 'reprotect' | 'handle-failed' | 'cancel' | 'recheck';

export async function verdictFor(deps: BotDeps, run: Run, userId: string, action: RunAction): Promise<ApprovalVerdict> {
  if (action === 'commit') return commitVerdict(deps, run, userId);
  // Asking to look at ASR again starts nothing new: approvers (the requester among them) may.
  if (action === 'reprotect' || action === 'recheck') return reprotectVerdict(deps, userId);
  if (action === 'cancel') return mayCancel(deps.policy, userId, run.requesterId, await inApproverGroup(deps, userId));
  return mayHandleFailedVms(deps.policy, userId, run.requesterId, await inApproverGroup(deps, userId));
}

export async function reprotectVerdict(deps: BotDeps, userId: string): Promise<ApprovalVerdict> {
  return mayReprotect(deps.policy, userId, await inApproverGroup(deps, userId));
}

/**
 * The run a Commit, Reprotect, Retry or Leave-out click is about, re-read from the store, if the clicking user may
 * act on it; otherwise the refusal is told to them (ephemeral) and appended to the run's trail.
 */
export async function authorizedRun(
  deps: BotDeps,
  runId: string,
  userId: string,
  action: RunAction,
  tell: (text: string) => Promise<unknown>,
): Promise<Run | undefined> {
  const run = await deps.store.get(runId);
  if (!run) {
    await tell('This run no longer exists.');
    return undefined;
  }
  const verdict = await verdictFor(deps, run, userId, action);
  if (verdict.allowed) return run;
  await deps.store.audit(run.id, {
    at: new Date(deps.now()).toISOString(),
    what: `${action} refused`,
    actor: userId,
    detail: verdict.reason,
  });
  await tell(verdict.reason);
  return undefined;
}

/** Where a click happened: the message (or its container) and the thread it is a reply in, if any. */
const clickedMessage = z.object({
  ts: z.string().optional(),
  message_ts: z.string().optional(),
  thread_ts: z.string().optional(),
});

/** The thread the clicked message is a reply in; a parent message (its own thread_ts) is not in a thread. */
function threadOfClick(body: BlockAction): string | undefined {
  const message = clickedMessage.safeParse(body.message ?? {});
  const container = clickedMessage.safeParse(body.container ?? {});
  const m = message.success ? message.data : {};
  const c = container.success ? container.data : {};
  const thread = m.thread_ts ?? c.thread_ts;
  const own = m.ts ?? c.message_ts;
  return thread !== undefined && thread !== own ? thread : undefined;
}

/**
 * How a button's listener answers the person who clicked (a refusal, a "nothing to do"), only to
 * them and where the click was: through the action's response_url (an ephemeral in the same channel
 * and thread, leaving the clicked message as it is), else — no response_url, or Slack refused it
 * (5 uses, 30 minutes) — as chat.postEphemeral in the clicked message's thread.
 */
export function tellClicker(
  deps: BotDeps,
  { body, client, respond }: { body: BlockAction; client: WebClient; respond?: RespondFn | undefined },
): (text: string) => Promise<unknown> {
  const threadTs = threadOfClick(body);
  const inThread = threadTs !== undefined ? { thread_ts: threadTs } : {};
  return async (text: string) => {
    if (body.response_url && respond) {
      try {
        return await respond({ response_type: 'ephemeral', replace_original: false, text, ...inThread });
      } catch (e) {
        deps.log.warn({ err: e }, 'the response_url did not take the answer; posting it as an ephemeral');
      }
    }
    return client.chat.postEphemeral({ channel: body.channel?.id ?? '', user: body.user.id, text, ...inThread });
  };
}

/** May the user request a failback (FAILBACK_REQUESTERS, users or user groups)? */
export async function requestVerdict(deps: BotDeps, userId: string): Promise<ApprovalVerdict> {
  const requesters = deps.policy.requesters;
  const inGroup =
    requesters && !requesters.users.includes(userId)
      ? await deps.approvers.isInAnyGroup(userId, requesters.groups)
      : false;
  return mayRequest(deps.policy, userId, inGroup);
}
