import type { MessageLedger } from '../store/message-ledger';
import { phaseOf, type Run } from '../domain/run';
import type { RunEffect } from '../domain/run-machine';
import { commitReminderDelayMs } from '../domain/reminders';
import { FINAL_REPORT_KEY, type FailbackQueues } from './queues';

/**
 * Performs the effects the state machine asked for, as queue jobs (so they survive restarts).
 * Card edits are coalesced: each change enqueues a render of its version, delayed so one card is
 * edited at most once per `minCardIntervalMs`; the render reads the newest state, older ones skip.
 */
export interface EffectRunnerOptions {
  readonly queues: FailbackQueues;
  readonly ledger: MessageLedger;
  readonly minCardIntervalMs: number;
  readonly now: () => number;
  /** FAILBACK_AUTO_REPROTECT: queue the autopilot when a run's commit is done. */
  readonly autoReprotect?: boolean | undefined;
  /** FAILBACK_COMMIT_REMINDER_MINUTES in ms: the first reminder when a run starts waiting for Commit. */
  readonly commitReminderMs?: number | undefined;
  /** FAILBACK_CHECKS_FILE is set: a VM's finished failover queues its application checks. */
  readonly appChecks?: boolean | undefined;
}

export class EffectRunner {
  private readonly queues: FailbackQueues;
  private readonly ledger: MessageLedger;
  private readonly minCardIntervalMs: number;
  private readonly now: () => number;
  private readonly autoReprotect: boolean;
  private readonly commitReminderMs: number | undefined;
  private readonly appChecks: boolean;

  constructor(options: EffectRunnerOptions) {
    this.queues = options.queues;
    this.ledger = options.ledger;
    this.minCardIntervalMs = options.minCardIntervalMs;
    this.now = options.now;
    this.autoReprotect = options.autoReprotect ?? false;
    this.commitReminderMs = options.commitReminderMs;
    this.appChecks = options.appChecks ?? false;
  }

  async run(run: Run, effects: readonly RunEffect[]): Promise<void> {
    const kinds = new Set(effects.map((e) => e.kind));
    for (const e of effects) {
      if (e.kind === 'run-step') {
        const delayMs = e.notBefore ? Date.parse(e.notBefore) - this.now() : 0;
        await this.queues.enqueueStep(run.id, e.step, { key: e.jobKey, delayMs });
      }
      if (e.kind === 'run-checks' && this.appChecks) await this.queues.enqueueChecks(run.id, e.vmId, 0, 0);
    }
    // Once per run: the upload itself checks that it has not happened yet.
    if (kinds.has('run-closed')) await this.queues.enqueueReport(run.id, FINAL_REPORT_KEY);
    if (this.autoReprotect && phaseOf(run) === 'awaiting-reprotect' && !run.reprotect) {
      await this.queues.enqueueAutoReprotect(run.id);
    }
    if (kinds.has('post-verification') && this.commitReminderMs !== undefined && phaseOf(run) === 'awaiting-commit') {
      // After a failover retry the reminders go on from where they were.
      const next = (run.commitReminders ?? 0) + 1;
      await this.queues.enqueueReminder(run.id, next, commitReminderDelayMs(this.commitReminderMs, next));
    }
    if (kinds.has('post-verification')) {
      // The verification prompt is a new message, and people wait for it: not held back by card edits.
      await this.queues.enqueueCard(run.id, run.version, 0);
    } else if (kinds.has('render-card')) {
      const last = await this.ledger.cardEditedAt(run.id);
      await this.queues.enqueueCard(run.id, run.version, last + this.minCardIntervalMs - this.now());
    }
  }
}
