import { runCard } from '../../src/bot/views';
import { commitReminder, reminderMentions } from '../../src/bot/views/commit-reminder';
import { NOT_CANCELLABLE } from '../../src/bot/views/run-card';
import { runTimeline } from '../../src/bot/views/run-timeline';
import { ACTION } from '../../src/bot/ids';
import { loadConfig } from '../../src/config';
import { mayCancel, mayRequest } from '../../src/domain/approval';
import { commitReminderDelayMs, MAX_REMINDER_GAP_MS } from '../../src/domain/reminders';
import { OUTSIDE, phaseOf, type Run } from '../../src/domain/run';
import { decide } from '../../src/domain/run-machine';
import { aRun, play, T0, vmInRun } from './fixtures';

const app = '/items/app-01';
const db = '/items/db-01';
const two = () => aRun({ vms: [vmInRun('app-01'), vmInRun('db-01')] });
const failedOver = (run: Run, vmId: string, job: string): Run =>
  play(
    run,
    { type: 'op-issuing', vmId, op: 'failover', at: T0 },
    { type: 'op-started', vmId, op: 'failover', jobName: job, at: T0 },
    { type: 'op-succeeded', vmId, op: 'failover', at: T0 },
  );
const awaitingCommit = () => failedOver(failedOver(two(), app, 'j-app'), db, 'j-db');
const buttons = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe('cancel before the failover is issued', () => {
  it('closes the run with nothing issued, and nothing can be issued afterwards', () => {
    const d = decide(two(), { type: 'run-cancelled', by: 'UREQ', at: T0 });
    if (!d.accepted) throw new Error(d.reason);
    expect(phaseOf(d.run)).toBe('cancelled');
    expect(d.run.closedAt).toBe(T0);
    expect(d.effects.map((e) => e.kind)).toEqual(['render-card', 'run-closed']);
    expect(d.audit).toEqual([
      expect.objectContaining({ what: 'run cancelled before the failover was issued', actor: 'UREQ' }),
    ]);
    const late = decide(d.run, { type: 'op-issuing', vmId: app, op: 'failover', at: T0 });
    expect(late).toEqual({ accepted: false, reason: 'the run was cancelled before anything was issued' });
  });

  it('is refused once any failover is being issued (the issuing checkpoint wins the race)', () => {
    const issuing = play(two(), { type: 'op-issuing', vmId: db, op: 'failover', at: T0 });
    expect(decide(issuing, { type: 'run-cancelled', by: 'UREQ', at: T0 })).toEqual({
      accepted: false,
      reason: 'the failover has already been issued to ASR',
    });
  });

  it('shows Cancel on the card only while nothing is issued, then says what can still be done', () => {
    const now = new Date(T0);
    expect(buttons(runCard(two(), now).blocks)).toContain(ACTION.cancelRun);
    const issuing = runCard(play(two(), { type: 'op-issuing', vmId: app, op: 'failover', at: T0 }), now);
    expect(buttons(issuing.blocks)).not.toContain(ACTION.cancelRun);
    expect(buttons(issuing.blocks)).toContain(NOT_CANCELLABLE);
    const cancelled = runCard(play(two(), { type: 'run-cancelled', by: 'UAPP', at: T0 }), now);
    expect(cancelled.blocks[0]).toMatchObject({
      text: { text: 'Failback FB-7 — Cancelled — nothing was done in ASR' },
    });
    expect(buttons(cancelled.blocks)).not.toContain('"type":"button"');
    expect(buttons(cancelled.blocks)).toContain('cancelled by <@UAPP>');
  });

  it('may be done by the requester or an approver only', () => {
    const policy = { approverUsers: ['UAPP'], approverGroups: [], fourEyes: true };
    expect(mayCancel(policy, 'UREQ', 'UREQ', false).allowed).toBe(true);
    expect(mayCancel(policy, 'UAPP', 'UREQ', false).allowed).toBe(true);
    expect(mayCancel(policy, 'UGRP', 'UREQ', true).allowed).toBe(true);
    expect(mayCancel(policy, 'UJO', 'UREQ', false)).toEqual({
      allowed: false,
      reason: 'Only the requester or a configured approver can cancel a failback.',
    });
  });
});

describe('commit reminders', () => {
  it('come one after the other while the run waits for Commit, never after it', () => {
    const run = awaitingCommit();
    const first = decide(run, { type: 'commit-reminder-sent', n: 1, at: T0, mentioned: '<!subteam^S1>' });
    if (!first.accepted) throw new Error(first.reason);
    expect(first.run.commitReminders).toBe(1);
    expect(first.effects).toEqual([]); // the card does not change
    expect(first.audit).toEqual([
      expect.objectContaining({ what: 'commit reminder sent', detail: 'reminder 1, to <!subteam^S1>' }),
    ]);
    expect(decide(first.run, { type: 'commit-reminder-sent', n: 1, at: T0, mentioned: 'x' }).accepted).toBe(false);
    expect(decide(run, { type: 'commit-reminder-sent', n: 2, at: T0, mentioned: 'x' }).accepted).toBe(false);
    const committed = play(first.run, { type: 'commit-approved', by: 'UAPP', at: T0 });
    expect(decide(committed, { type: 'commit-reminder-sent', n: 2, at: T0, mentioned: 'x' })).toEqual({
      accepted: false,
      reason: 'the run is not waiting for a commit',
    });
  });

  it('back off by doubling up to four hours', () => {
    const base = 15 * 60_000;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => commitReminderDelayMs(base, n) / 60_000)).toEqual([
      15, 30, 60, 120, 240, 240, 240,
    ]);
    expect(commitReminderDelayMs(base, 40)).toBe(MAX_REMINDER_GAP_MS);
    // A longer configured interval is kept as it is.
    expect([1, 2, 3].map((n) => commitReminderDelayMs(8 * 3600_000, n) / 3600_000)).toEqual([8, 8, 8]);
  });

  it('mention the approver groups where configured, else the approvers, and say the bot never commits', () => {
    expect(reminderMentions({ users: ['U1'], groups: ['S1', 'S2'] })).toBe('<!subteam^S1> <!subteam^S2>');
    expect(reminderMentions({ users: ['U1', 'U2'], groups: [] })).toBe('<@U1> <@U2>');
    const msg = commitReminder(awaitingCommit(), {
      n: 2,
      approvers: { users: ['U1'], groups: [] },
      waitingSince: T0,
      now: new Date(Date.parse(T0) + 45 * 60_000),
      nextInMs: 60 * 60_000,
    });
    expect(msg.text).toContain('<@U1> — *FB-7* has been waiting for *Commit* for 45 min (2 VMs running on AVS)');
    expect(msg.text).toContain('The bot never commits by itself');
    expect(JSON.stringify(msg.blocks)).toContain('Reminder 2 · next in 1 h if still waiting');
  });
});

describe('operations done outside the bot', () => {
  it('a commit seen in ASR completes the commit step as someone outside the bot, with its job', () => {
    const run = play(
      awaitingCommit(),
      { type: 'commit-seen-outside', vmId: app, at: T0, jobName: 'portal-1' },
      { type: 'commit-seen-outside', vmId: db, at: T0 },
    );
    expect(phaseOf(run)).toBe('awaiting-reprotect');
    expect(run.commit).toEqual({ approvedBy: OUTSIDE, approvedAt: T0 });
    expect(run.vms[0]?.commit).toMatchObject({ status: 'succeeded', outside: true, jobName: 'portal-1' });
    expect(decide(run, { type: 'commit-approved', by: 'UAPP', at: T0 })).toEqual({
      accepted: false,
      reason: 'the commit was already done outside the bot (seen in ASR)',
    });
    expect(JSON.stringify(runCard(run, new Date(T0)).blocks)).toContain(
      'committed (done outside the bot, seen in ASR)',
    );
  });

  it('a failover of a failed VM done in the portal brings it back into the run', () => {
    const failedDb = play(
      failedOver(two(), app, 'j-app'),
      { type: 'op-started', vmId: db, op: 'failover', jobName: 'j-db', at: T0 },
      {
        type: 'op-failed',
        vmId: db,
        op: 'failover',
        at: T0,
        error: 'boom',
      },
    );
    expect(phaseOf(failedDb)).toBe('awaiting-commit');
    const d = decide(failedDb, { type: 'failover-seen-outside', vmId: db, at: T0, jobName: 'portal-2' });
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[1]?.failover).toMatchObject({
      status: 'succeeded',
      outside: true,
      jobName: 'portal-2',
      error: undefined,
    });
    expect(decide(d.run, { type: 'failover-seen-outside', vmId: db, at: T0 }).accepted).toBe(false);
    expect(decide(failedDb, { type: 'failover-seen-outside', vmId: app, at: T0 }).accepted).toBe(false); // it did not fail
  });

  it('a reprotect seen in ASR ends the run when every committed VM is protected, but never overrides one the bot runs', () => {
    const committed = play(
      awaitingCommit(),
      { type: 'commit-approved', by: 'UAPP', at: T0 },
      { type: 'op-succeeded', vmId: app, op: 'commit', at: T0 },
      { type: 'op-succeeded', vmId: db, op: 'commit', at: T0 },
    );
    const one = play(committed, { type: 'reprotect-seen-outside', vmId: app, at: T0, jobName: 'portal-3' });
    expect(phaseOf(one)).toBe('awaiting-reprotect');
    const both = play(one, { type: 'reprotect-seen-outside', vmId: db, at: T0 });
    expect(phaseOf(both)).toBe('done');
    expect(both.reprotect?.requestedBy).toBe(OUTSIDE);
    expect(both.closedAt).toBeDefined();

    const running = play(
      committed,
      { type: 'reprotect-requested', by: 'UAPP', at: T0, windowMs: 60_000, choices: {} },
      { type: 'op-issuing', vmId: app, op: 'reprotect', at: T0 },
      { type: 'op-started', vmId: app, op: 'reprotect', jobName: 'bot-r', at: T0 },
    );
    expect(decide(running, { type: 'reprotect-seen-outside', vmId: app, at: T0 })).toEqual({
      accepted: false,
      reason: 'the reprotect of app-01 is running in the bot',
    });
    const afterOne = play(one, { type: 'reprotect-seen-outside', vmId: db, at: T0 });
    expect(decide(afterOne, { type: 'reprotect-requested', by: 'UAPP', at: T0, windowMs: 1, choices: {} })).toEqual({
      accepted: false,
      reason: 'the VMs were reprotected outside the bot (seen in ASR)',
    });
  });
});

describe('requesters', () => {
  it('are everyone without FAILBACK_REQUESTERS, else its users and group members', () => {
    expect(mayRequest({ requesters: undefined }, 'UJO', false).allowed).toBe(true);
    const policy = { requesters: { users: ['UREQ'], groups: ['S1'] } };
    expect(mayRequest(policy, 'UREQ', false).allowed).toBe(true);
    expect(mayRequest(policy, 'UGRP', true).allowed).toBe(true);
    expect(mayRequest(policy, 'UJO', false)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('FAILBACK_REQUESTERS'),
    });
  });
});

describe('configuration of governance', () => {
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
    AZURE_RESOURCE_GROUP: 'rg',
    AZURE_RECOVERY_VAULT: 'v',
    FAILBACK_APPROVERS: 'U0ALEX',
  };

  it('defaults: everyone may request, a reminder after 15 min, 90 days of retention', () => {
    const c = loadConfig(env);
    expect(c.policy.requesters).toBeUndefined();
    expect(c.timing.commitReminderMs).toBe(15 * 60_000);
    expect(c.timing.retentionMs).toBe(90 * 24 * 3600_000);
  });

  it('splits FAILBACK_REQUESTERS into users and groups and names bad entries', () => {
    expect(loadConfig({ ...env, FAILBACK_REQUESTERS: 'U1AB, S0LEADS' }).policy.requesters).toEqual({
      users: ['U1AB'],
      groups: ['S0LEADS'],
    });
    expect(() => loadConfig({ ...env, FAILBACK_REQUESTERS: 'riley', FAILBACK_RETENTION_DAYS: '0' })).toThrow(
      /FAILBACK_REQUESTERS[\s\S]*FAILBACK_RETENTION_DAYS|FAILBACK_RETENTION_DAYS[\s\S]*FAILBACK_REQUESTERS/,
    );
  });
});

describe('timeline in /failback status', () => {
  it('lists the trail with who and which job, escaped, within its blocks', () => {
    const trail = Array.from({ length: 200 }, (_, i) => ({
      at: new Date(Date.parse(T0) + i * 1000).toISOString(),
      what: i === 0 ? 'failback requested' : 'failover started',
      actor: i === 0 ? 'UREQ' : undefined,
      vm: 'app-01',
      jobName: i === 0 ? undefined : `job-${i}`,
      detail: i === 0 ? '<!channel> please <https://evil|click>' : undefined,
    }));
    const blocks = runTimeline(trail, 3);
    expect(blocks.length).toBeLessThanOrEqual(3);
    const text = JSON.stringify(blocks);
    expect(text).toContain('`10:00:00` failback requested · *app-01* · by <@UREQ>');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('more events');
    expect(runTimeline([], 3)).toHaveLength(1);
  });
});

describe('progress milestones in the trail', () => {
  it('records each new ASR task once, not every poll', () => {
    const started = play(
      two(),
      { type: 'op-issuing', vmId: app, op: 'failover', at: T0 },
      { type: 'op-started', vmId: app, op: 'failover', jobName: 'j1', at: T0 },
    );
    const progress = (task: string, done: number) => ({
      type: 'op-progress' as const,
      vmId: app,
      op: 'failover' as const,
      at: T0,
      progress: { task, done, total: 4 },
    });
    const first = decide(started, progress('Shutting down the Azure VM', 1));
    if (!first.accepted) throw new Error(first.reason);
    expect(first.audit).toEqual([
      { at: T0, what: 'failover progress', vm: 'app-01', jobName: 'j1', detail: 'Shutting down the Azure VM (1/4)' },
    ]);
    const same = decide(first.run, progress('Shutting down the Azure VM', 2));
    expect(same.accepted && same.audit).toEqual([]);
  });
});
