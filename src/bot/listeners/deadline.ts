import type { Listeners } from '../../slack/listener-router';
import type { ViewOutput } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

/**
 * Slack shows an error to the person once 3 s pass without an answer (Bolt answers 404 at 3,001 ms),
 * although the work may go on and succeed. Every view submission answers within this budget, from the
 * moment the listener starts: with the outcome when it is ready, otherwise with a "working…" view that
 * the outcome replaces when it is. A person is never told something failed that was done.
 */
export const ANSWER_BUDGET_MS = 2_000;

export type Timed<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly later: Promise<T> };

/** The value of `work` if it settles within `ms`; otherwise the promise to wait on after answering. */
export async function within<T>(ms: number, work: Promise<T>): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const first = await Promise.race([work.then((value) => ({ done: true as const, value })), late]);
    return first === 'late' ? { done: false, later: work } : first;
  } finally {
    clearTimeout(timer);
  }
}

/** How a view submission ends; `late` is what the modal shows when the answer comes after the deadline. */
export type ModalAnswer =
  | { readonly kind: 'clear'; readonly late: View }
  | { readonly kind: 'update'; readonly view: View }
  | { readonly kind: 'errors'; readonly errors: Readonly<Record<string, string>>; readonly late: View };

/**
 * Answers a view submission within Slack's 3 s: with the decision when it is ready within the budget,
 * otherwise with `working` at once and then the decision (the outcome view) in its place.
 */
export async function answerSubmission(args: {
  readonly ack: (response?: Record<string, unknown>) => Promise<void>;
  readonly client: WebClient;
  readonly viewId: string;
  readonly working: View;
  readonly decision: Promise<ModalAnswer>;
  readonly log: Logger;
}): Promise<void> {
  const timed = await within(ANSWER_BUDGET_MS, args.decision);
  if (timed.done) {
    const a = timed.value;
    if (a.kind === 'clear') return args.ack({ response_action: 'clear' });
    if (a.kind === 'update') return args.ack({ response_action: 'update', view: a.view });
    return args.ack({ response_action: 'errors', errors: a.errors });
  }
  await args.ack({ response_action: 'update', view: args.working });
  const a = await timed.later;
  const view = a.kind === 'update' ? a.view : a.late;
  await args.client.views
    .update({ view_id: args.viewId, view })
    .catch((err: unknown) => args.log.warn({ err }, 'could not show the outcome in the modal'));
}

/**
 * Registers the submission of the modal `callbackId`: `decide` makes the decision, answered within
 * Slack's 3 s (see {@link answerSubmission}); `working` stands in for the modal if it takes longer.
 */
export function onSubmission(
  app: Listeners,
  log: Logger,
  callbackId: string,
  working: View,
  decide: (view: ViewOutput, userId: string, client: WebClient) => Promise<ModalAnswer>,
): void {
  app.view(callbackId, async ({ ack, body, view, client }) => {
    await answerSubmission({
      ack: (r) => ack(r as never),
      client,
      viewId: view.id,
      working,
      decision: decide(view, body.user.id, client),
      log,
    });
  });
}
