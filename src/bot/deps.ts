import type { Logger } from 'pino';
import type { AsrEstate } from '../azure/estate';
import type { ApprovalPolicy, RequesterPolicy } from '../domain/approval';
import type { EffectRunner } from '../jobs/effects';
import type { FailbackQueues } from '../jobs/queues';
import type { ApproverDirectory } from '../slack/approvers';
import type { FactsCache } from '../store/facts-cache';
import type { RunStore } from '../store/run-store';
import type { JobLink } from './views/portal-link';

/** What the Slack listeners need; built once in the composition root. */
export interface BotDeps {
  readonly estate: AsrEstate;
  readonly store: RunStore;
  readonly facts: FactsCache;
  readonly queues: FailbackQueues;
  readonly effects: EffectRunner;
  readonly approvers: ApproverDirectory;
  readonly policy: ApprovalPolicy &
    RequesterPolicy & {
      readonly allowedChannels: readonly string[] | undefined;
      /** The most VMs one run may fail back (`FAILBACK_MAX_VMS_PER_RUN`): the request form and preflight hold to it. */
      readonly maxVmsPerRun: number;
    };
  /** The Azure portal page of an ASR job of the vault, linked from the run card; without it the card names the steps only. */
  readonly jobLink?: JobLink | undefined;
  /** How long reprotect retries wait for the VMs' agents. */
  readonly reprotectRetryWindowMs: number;
  /** Whether the store (Redis) answers now: without it nothing can be recorded, so nothing is started. */
  readonly storeReady: () => boolean;
  readonly now: () => number;
  /** Aborted first when the runtime stops: ARM reads a listener started end instead of holding the exit. */
  readonly shutdown?: AbortSignal | undefined;
  readonly log: Logger;
}
