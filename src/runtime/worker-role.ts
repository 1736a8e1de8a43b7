import type { Worker } from 'bullmq';
import { asrJobLink } from '../bot/views/portal-link';
import { reconcileActiveRuns } from '../jobs/reconcile';
import { startWorkers, type WorkerTuning } from '../jobs/workers';
import { ApproverDirectory } from '../slack/approvers';
import { JobWatchList } from '../store/job-watch';
import { FactsCache } from '../store/facts-cache';
import { CheckRunner } from '../checks';
import type { Core } from './core';

/**
 * The worker role: the BullMQ workers (run steps, the vault-wide ASR watcher, Slack messages), the
 * watcher's schedule, and the reconciliation of active runs with ASR at start.
 */
export async function startWorkerRole(core: Core, tuning?: WorkerTuning): Promise<Worker[]> {
  const { config, log, now, store, effects, estate, client, queues, ledger, change } = core;
  const timing = config.timing;
  const directory = new ApproverDirectory({ client, groups: config.policy.approverGroups, log, now });
  const facts = new FactsCache({ redis: core.redis, prefix: core.prefix, now });
  const watch = new JobWatchList({ redis: core.redis, prefix: core.prefix, now });
  const approvers = { users: config.policy.approverUsers, groups: config.policy.approverGroups };
  const workers = startWorkers({
    connection: core.redisConnections.create('worker'),
    prefix: core.prefix,
    tuning: tuning ?? { lockDurationMs: timing.jobLockMs, stalledIntervalMs: Math.max(500, timing.jobLockMs / 2) },
    deps: {
      steps: {
        estate,
        store,
        watch,
        effects,
        pollIntervalMs: timing.asrPollIntervalMs,
        reprotectRetryIntervalMs: timing.reprotectRetryIntervalMs,
        issueLockMs: Math.max(5_000, 2 * timing.jobLockMs),
        now,
        log,
      },
      watch: {
        estate,
        store,
        watch,
        effects,
        now,
        reprotectRetryIntervalMs: timing.reprotectRetryIntervalMs,
        jobReadsPerPoll: timing.asrJobReadsPerPoll,
        outsideEveryMs: 4 * timing.asrPollIntervalMs,
        lastRead: new Map(),
        log,
      },
      messages: { client, ledger, store, change, approvers, jobLink: asrJobLink(config.azure.armEndpoint), now, log },
      channels: {
        client,
        store,
        effects,
        approverUsers: async () => [...config.policy.approverUsers, ...(await directory.groupMembers())],
        scheduleRecheck: (runId, n, delayMs) => queues.enqueueChannelRecheck(runId, n, delayMs),
        recheckMs: 4 * timing.asrPollIntervalMs,
        now,
        log,
      },
      reminders: {
        client,
        ledger,
        store,
        approvers,
        reminderMs: timing.commitReminderMs,
        scheduleReminder: (runId, n, delayMs) => queues.enqueueReminder(runId, n, delayMs),
        now,
        log,
      },
      log,
      metrics: core.metrics,
      autoReprotect: config.policy.autoReprotect && {
        processServer: config.policy.autoReprotect.processServer,
        windowMs: timing.reprotectRetryWindowMs,
      },
      checks: core.checks && {
        store,
        change,
        config: core.checks,
        // One runner per process: its bound on probes in flight holds across every run it serves.
        runner: new CheckRunner({ concurrency: core.checks.defaults.concurrency, now }),
        schedule: (runId, vmId, round, delayMs) => queues.enqueueChecks(runId, vmId, round, delayMs),
        now,
        log,
      },
      digest: config.readinessDigest && {
        estate,
        facts,
        client,
        ledger,
        channel: config.readinessDigest.channel,
        now,
        log,
      },
    },
  });
  await queues
    .scheduleDigest(config.readinessDigest)
    .catch((err) => log.error({ err }, 'could not schedule the readiness digest'));
  await queues
    .scheduleWatcher(timing.asrPollIntervalMs)
    .catch((err) => log.error({ err }, 'could not schedule the ASR watcher'));
  // Not awaited: start-up must not wait on ARM; the runs' own jobs carry on meanwhile.
  void reconcileActiveRuns({ estate, store, watch, queues, effects, now, log }).then(
    (summary) => log.info(summary, 'active runs reconciled with ASR'),
    (err: unknown) => log.warn({ err }, 'could not reconcile the active runs'),
  );
  return workers;
}
