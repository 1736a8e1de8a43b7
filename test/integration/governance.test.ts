import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ACTION } from '../../src/bot/ids';
import { QUEUE } from '../../src/jobs/queues';
import type { Runtime } from '../../src/runtime';
import {
  APPROVER_GROUP,
  chooseVms,
  commitAsApprover,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  promptOf,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { RunStore } from '../../src/store/run-store';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;
let redis: Redis | undefined;
let prefix = '';

async function start(env: Record<string, string> = {}) {
  prefix = uniquePrefix('gov');
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix, env });
  bot = await world.startBot();
  redis = new Redis(testRedisUrl());
  return { w: world, store: new RunStore({ redis, prefix }) };
}

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  redis?.disconnect();
  redis = undefined;
  await world?.stop();
  world = undefined;
});

const runIdOf = (text: string) => /Failback (FB-\d+)/.exec(text)?.[1] ?? '';

async function request(w: SandboxWorld, vms: readonly string[], userId: string = PEOPLE.requester.id) {
  const { view } = await openRequestModal(w, userId);
  const shown = await chooseVms(w, view, vms, userId);
  return submitRequest(w, shown, { vms }, userId);
}

describe('requesters (FAILBACK_REQUESTERS)', () => {
  it('lets only configured users and user-group members request; others are told why and nothing is created', async () => {
    const { w, store } = await start({ FAILBACK_REQUESTERS: `${PEOPLE.requester.id},${APPROVER_GROUP}` });

    const refused = await w.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: '' });
    expect(refused.withinSlackTimeout).toBe(true);
    // Told in the modal, which opened at once (the trigger lives 3 s): no form, nothing to submit.
    const told = await w.slack.waitFor(
      () => w.slack.openViews(PEOPLE.bystander.id).find((v) => textOf(v).includes('Only configured requesters')),
      { message: 'the refusal' },
    );
    expect(textOf(told)).toContain('Nothing was started');
    expect(told.view.submit).toBeUndefined();

    // A member of the configured user group may request.
    expect((await request(w, ['app-01'], PEOPLE.groupApprover.id)).responseAction).toBe('clear');
    const card = await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card' });
    expect(textOf(card)).toContain(`<@${PEOPLE.groupApprover.id}>`);
    expect(await store.recent(10)).toHaveLength(1);

    // Again, now that the process holds the lists: the refusal opens at once, the form never.
    const opensBefore = w.slack.callsTo('views.open').length;
    await w.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: '' });
    const again = await w.slack.waitFor(() => w.slack.callsTo('views.open').slice(opensBefore)[0], {
      message: 'the second refusal',
    });
    expect(JSON.stringify(again.args)).toContain('Only configured requesters');
    expect(JSON.stringify(again.args)).not.toContain('app-01');
  });
});

describe('a slow user-group lookup', () => {
  it('never holds the trigger: the modal opens first, and the answer of the lookup is told in it', async () => {
    const { w, store } = await start({ FAILBACK_REQUESTERS: `${PEOPLE.requester.id},${APPROVER_GROUP}` });
    // A listed requester opens the form first: the process now holds the lists, and could open the
    // whole form at once — but not for someone it has not yet been told may request.
    await openRequestModal(w);
    const opensBefore = w.slack.callsTo('views.open').length;
    // Slack's usergroups.users.list answering after the trigger_id has expired (3 s).
    w.slack.faults.latency('usergroups.users.list', 3_500);
    const reply = await w.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: '' });
    expect(reply.withinSlackTimeout).toBe(true);
    const opened = await w.slack.waitFor(() => w.slack.openViews(PEOPLE.bystander.id)[0], {
      message: 'a modal opened',
    });
    expect(w.slack.callsTo('views.open').every((c) => c.response.ok === true)).toBe(true);
    const bystanderOpens = w.slack.callsTo('views.open').slice(opensBefore);
    expect(bystanderOpens).toHaveLength(1);
    expect(JSON.stringify(bystanderOpens[0]?.args)).not.toContain('app-01');
    const told = await w.slack.waitFor(
      () =>
        w.slack.openViews(PEOPLE.bystander.id).find((v) => v.id === opened.id && /Nothing was started/.test(textOf(v))),
      {
        timeoutMs: 15_000,
        message: 'the answer in the modal',
      },
    );
    expect(textOf(told)).toMatch(/Only configured requesters|Could not check who may request/);
    expect(await store.recent(10)).toHaveLength(0);
  });
});

describe('a refused click on a button in the run card’s thread', () => {
  it('is answered in that thread, only to the person who clicked, through the click’s response_url', async () => {
    const { w, store } = await start();
    expect((await request(w, ['app-01'])).responseAction).toBe('clear');
    const { card, prompt } = await waitForCommitPrompt(w, 30_000);
    const runId = runIdOf(textOf(card));

    const click = await w.slack.clickButton({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    expect(click.withinSlackTimeout).toBe(true);
    const told = await w.slack.waitFor(() => w.slack.ephemerals({ user: PEOPLE.bystander.id }).at(-1), {
      message: 'the refusal',
    });
    expect(told.text).toContain('Only configured approvers can commit');
    // In the thread of the card, where the prompt with the button is — not at the channel's top level.
    expect(told).toMatchObject({ channel: INCIDENT_CHANNEL, threadTs: card.ts, via: 'response_url' });
    const answer = w.slack.responseUrlPosts.find((p) => p.responseUrl === click.responseUrl);
    expect(answer).toMatchObject({
      effect: 'ephemeral',
      body: { response_type: 'ephemeral', replace_original: false },
    });
    // The prompt is left as it was, and nobody else sees the refusal.
    expect(findAction(promptOf(w, card)!.blocks, ACTION.commit)).toBeDefined();
    expect(w.slack.ephemerals({ channel: INCIDENT_CHANNEL })).toEqual([told]);
    expect(w.slack.openViews(PEOPLE.bystander.id)).toHaveLength(0);
    expect((await store.trail(runId)).find((e) => e.what === 'commit refused')).toMatchObject({
      actor: PEOPLE.bystander.id,
    });
  });
});

describe('commit reminders', () => {
  it('reminds the approver group in the thread, again with back-off, and never commits by itself', async () => {
    // 0.03 min = 1.8 s for the first reminder, then 3.6 s, then 7.2 s.
    const { w, store } = await start({ FAILBACK_COMMIT_REMINDER_MINUTES: '0.03' });
    expect((await request(w, ['app-01'])).responseAction).toBe('clear');
    const { card } = await waitForCommitPrompt(w, 30_000);
    const runId = runIdOf(textOf(card));

    const reminders = () => w.slack.thread(INCIDENT_CHANNEL, card.ts).filter((m) => textOf(m).includes(':bell:'));
    const first = await w.slack.waitFor(() => reminders()[0], { timeoutMs: 20_000, message: 'first reminder' });
    expect(textOf(first)).toContain(`<!subteam^${APPROVER_GROUP}>`);
    expect(textOf(first)).toContain(`*${runId}* has been waiting for *Commit*`);
    expect(textOf(first)).toContain('never commits by itself');
    await w.slack.waitFor(() => (reminders().length >= 2 ? true : undefined), {
      timeoutMs: 20_000,
      message: 'second reminder',
    });

    const run = await store.require(runId);
    expect(run.commit).toBeUndefined();
    expect(run.commitReminders).toBeGreaterThanOrEqual(2);
    expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(0);
    const trail = await store.trail(runId);
    expect(trail.map((e) => e.what)).toContain('verification prompt posted');
    expect(trail.filter((e) => e.what === 'commit reminder sent').map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        `reminder 1, to <!subteam^${APPROVER_GROUP}>`,
        `reminder 2, to <!subteam^${APPROVER_GROUP}>`,
      ]),
    );
    // The Commit button is still there, for a person.
    expect(findAction(promptOf(w, card)!.blocks, ACTION.commit)).toBeDefined();

    // After a restart the old prompt's Commit button still acts on the run; then reminders stop.
    await bot!.stop();
    bot = await w.startBot();
    const sent = (await store.require(runId)).commitReminders ?? 0;
    const slackJobs = new Queue(QUEUE.slack, { connection: { url: testRedisUrl() }, prefix });
    try {
      const next = `reminder-${runId}-${sent + 1}`;
      // The next reminder is scheduled (so its running below, silently, means something).
      expect(await (await slackJobs.getJob(next))?.isDelayed()).toBe(true);
      await commitAsApprover(w, promptOf(w, card)!, card.ts);
      expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(1);
      await w.slack.waitFor(async () => ((await slackJobs.getJob(next)) ? undefined : true), {
        timeoutMs: 30_000,
        message: `${next} has run`,
      });
    } finally {
      await slackJobs.close();
    }
    expect((await store.require(runId)).commitReminders).toBe(sent);
    expect(reminders()).toHaveLength(sent);
  });
});

describe('reconciling with the portal', () => {
  it('notices a commit done in the portal while the run waits, says so on the card and retires the Commit button', async () => {
    const { w, store } = await start();
    expect((await request(w, ['app-01'])).responseAction).toBe('clear');
    const { card, prompt } = await waitForCommitPrompt(w, 30_000);
    const runId = runIdOf(textOf(card));
    // What the approver's client still shows once the bot has retired the button.
    const shownBefore = structuredClone(prompt.blocks);

    const job = w.emulator.startInPortal('app-01', 'failoverCommit');
    const updated = await waitForCardText(w, card.ts, /Committed — ready for reprotect/, 30_000);
    expect(textOf(updated)).toContain('done outside the bot, seen in ASR');
    expect(textOf(updated)).toContain('someone outside the bot (seen in ASR)');
    expect(findAction(updated.blocks, ACTION.reprotect)).toBeDefined();
    await w.slack.waitFor(() => (findAction(promptOf(w, card)!.blocks, ACTION.commit) ? undefined : true), {
      timeoutMs: 15_000,
      message: 'Commit button retired on the prompt',
    });

    // The Commit button of the old message does nothing harmful and says why.
    await w.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
      shownBlocks: shownBefore,
    });
    const told = await w.slack.waitFor(() => w.slack.ephemerals({ user: PEOPLE.approver.id }).at(-1), {
      message: 'why the click did nothing',
    });
    expect(told.text).toContain('someone outside the bot (seen in ASR)');
    expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(0);
    const trail = await store.trail(runId);
    expect(trail.find((e) => e.what === 'commit done outside the bot (seen in ASR)')).toMatchObject({
      vm: 'app-01',
      jobName: job,
    });
  });

  it('notices a reprotect done in the portal and ends the run', async () => {
    const { w } = await start();
    expect((await request(w, ['app-01'])).responseAction).toBe('clear');
    const { card } = await waitForCommitPrompt(w, 30_000);
    w.emulator.startInPortal('app-01', 'failoverCommit');
    await waitForCardText(w, card.ts, /Committed — ready for reprotect/, 30_000);
    // The emulator builds the recorded reprotect body (RecoveryToPrimary, InMageAzureV2, run-as account, mapped policy).
    w.emulator.startInPortal('app-01', 'reprotect');
    const done = await waitForCardText(w, card.ts, /Done — protected to Azure again/, 30_000);
    expect(textOf(done)).toContain('reprotect started by someone outside the bot (seen in ASR)');
    expect(findAction(done.blocks, ACTION.reprotect)).toBeUndefined();
    expect(w.emulator.operationPosts('reprotect')).toHaveLength(0);
  });
});

describe('cancel', () => {
  it('cancels a run before its failover is issued: nothing reaches ASR, the VM is free again; others may not cancel', async () => {
    const { w, store } = await start();
    // Hold the step workers back so the run waits before its failover is issued.
    const steps = new Queue(QUEUE.steps, { connection: { url: testRedisUrl() }, prefix });
    await steps.pause();
    try {
      expect((await request(w, ['app-01'])).responseAction).toBe('clear');
      const card = await w.slack.waitFor(
        (s) => {
          const c = s.messages(INCIDENT_CHANNEL)[0];
          return c && findAction(c.blocks, ACTION.cancelRun) ? c : undefined;
        },
        { message: 'card with Cancel' },
      );
      const runId = runIdOf(textOf(card));

      await w.slack.clickButton({
        userId: PEOPLE.bystander.id,
        channelId: INCIDENT_CHANNEL,
        messageTs: card.ts,
        actionId: ACTION.cancelRun,
      });
      const refused = await w.slack.waitFor(() => w.slack.ephemerals({ user: PEOPLE.bystander.id }).at(-1), {
        message: 'refusal',
      });
      expect(refused.text).toContain('Only the requester or a configured approver can cancel');
      expect((await store.require(runId)).cancelled).toBeUndefined();

      await w.slack.clickButton({
        userId: PEOPLE.requester.id,
        channelId: INCIDENT_CHANNEL,
        messageTs: card.ts,
        actionId: ACTION.cancelRun,
      });
      const cancelled = await waitForCardText(w, card.ts, /Cancelled — nothing was done in ASR/, 15_000);
      expect(findAction(cancelled.blocks, ACTION.cancelRun)).toBeUndefined();
      expect(textOf(cancelled)).toContain(`cancelled by <@${PEOPLE.requester.id}>`);

      // The failover step queued before the cancel now runs, and must issue nothing.
      await steps.resume();
      await w.slack.waitFor(
        async () => {
          const c = await steps.getJobCounts('wait', 'active', 'delayed');
          return (c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0 ? true : undefined;
        },
        { message: 'the queued failover step has run' },
      );
      expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(0);
      expect(w.emulator.operationPosts()).toHaveLength(0);
      const run = await store.require(runId);
      expect(run.closedAt).toBeDefined();
      expect((await store.trail(runId)).map((e) => e.what)).toContain('run cancelled before the failover was issued');
      expect(await store.activeRunsOf([run.vms[0]!.id])).toEqual(new Map());
      // Its thread gets the run report, and no verification prompt (nothing failed over).
      const thread = () => w.slack.thread(INCIDENT_CHANNEL, card.ts);
      await w.slack.waitFor(() => (thread().some((m) => (m.files ?? []).length > 0) ? true : undefined), {
        message: 'report of the cancelled run',
      });
      expect(thread().filter((m) => textOf(m).includes('failover from Azure ended'))).toHaveLength(0);
      expect(promptOf(w, card)).toBeUndefined();
    } finally {
      await steps.resume();
      await steps.close();
    }
  });
});

describe('retention and status', () => {
  it('keeps a closed run and its trail for FAILBACK_RETENTION_DAYS, and /failback status shows the timeline', async () => {
    const { w, store } = await start({ FAILBACK_RETENTION_DAYS: '2' });
    const steps = new Queue(QUEUE.steps, { connection: { url: testRedisUrl() }, prefix });
    await steps.pause();
    try {
      expect((await request(w, ['db-01'])).responseAction).toBe('clear');
      const card = await w.slack.waitFor(
        (s) => {
          const c = s.messages(INCIDENT_CHANNEL)[0];
          return c && findAction(c.blocks, ACTION.cancelRun) ? c : undefined;
        },
        { message: 'card with Cancel' },
      );
      const runId = runIdOf(textOf(card));
      const before = await redis!.ttl(`${prefix}:run:${runId}`);
      expect(before).toBe(-1); // an active run never expires
      await w.slack.clickButton({
        userId: PEOPLE.approver.id,
        channelId: INCIDENT_CHANNEL,
        messageTs: card.ts,
        actionId: ACTION.cancelRun,
      });
      await waitForCardText(w, card.ts, /Cancelled/, 15_000);
      for (const key of [`${prefix}:run:${runId}`, `${prefix}:trail:${runId}`]) {
        const ttl = await redis!.ttl(key);
        expect(ttl).toBeGreaterThan(2 * 86400 - 120);
        expect(ttl).toBeLessThanOrEqual(2 * 86400);
      }

      const status = await w.slack.sendCommand({
        userId: PEOPLE.bystander.id,
        channelId: INCIDENT_CHANNEL,
        text: `status ${runId}`,
      });
      expect(status.withinSlackTimeout).toBe(true);
      const shown = textOf(w.slack.ephemerals({ user: PEOPLE.bystander.id }).at(-1)!.blocks);
      expect(shown).toContain('*Timeline*');
      expect(shown).toContain('failback requested');
      expect(shown).toMatch(new RegExp(`run cancelled before the failover was issued · by <@${PEOPLE.approver.id}>`));
      expect(await store.get(runId)).toBeDefined();
    } finally {
      await steps.resume();
      await steps.close();
    }
  });
});

describe('a channel the bot cannot post in', () => {
  it('refuses the request inline before anything is created (the bot is not a member)', async () => {
    const { w, store } = await start();
    w.slack.setChannel(INCIDENT_CHANNEL, { botMember: false });
    const reply = await request(w, ['web-01']);
    expect(reply.responseAction).toBe('errors');
    expect(JSON.stringify(reply.errors)).toContain(`failback-bot is not a member of <#${INCIDENT_CHANNEL}>`);
    expect(await store.recent(10)).toHaveLength(0);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(0);
  });

  it('lost after the request: the run waits (no failover starts while nobody can see it), the requester and approvers are told directly, and it carries on once the bot is back', async () => {
    const { w, store } = await start();
    const { view } = await openRequestModal(w);
    const shown = await chooseVms(w, view, ['web-01']);
    // Removed from the channel while the form was open (its check had passed).
    w.slack.setChannel(INCIDENT_CHANNEL, { botMember: false });
    expect((await submitRequest(w, shown, { vms: ['web-01'] })).responseAction).toBe('clear');
    const [run] = await store.recent(1);
    const dms = await w.slack.waitFor(
      () => {
        const to = [PEOPLE.requester.id, PEOPLE.approver.id, PEOPLE.groupApprover.id].map((u) =>
          w.slack.messages(u).at(-1),
        );
        return to.every((m) => m && m.text.includes(run!.id)) ? to : undefined;
      },
      { message: 'the requester and every approver told in their DM' },
    );
    expect(dms[0]?.text).toMatch(
      /cannot be shown in <#C0INCIDENT>: Slack answers `not_in_channel`.*failover has not been started/,
    );
    const trail = await store.trail(run!.id);
    expect(trail.find((e) => e.what === 'run channel unavailable')?.detail).toContain('not_in_channel');
    // Nothing starts in ASR while nobody can see the run.
    await w.slack.waitFor(async () => ((await store.get(run!.id))?.channelLost ? true : undefined), {
      message: 'the run marked as waiting for its channel',
    });
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(0);

    w.slack.setChannel(INCIDENT_CHANNEL, { botMember: true });
    const { card } = await waitForCommitPrompt(w, 30_000);
    expect(textOf(card)).toContain(`Failback ${run!.id}`);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    expect((await store.trail(run!.id)).some((e) => e.what === 'run channel available again')).toBe(true);
  });
});
