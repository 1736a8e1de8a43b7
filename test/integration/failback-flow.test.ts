import { ACTION, BLOCK, CALLBACK } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  chooseVms,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  vmOptions,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

let world: SandboxWorld;
let bot: Runtime;

beforeEach(async () => {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('flow') });
  bot = await world.startBot();
});

afterEach(async () => {
  await bot.stop();
  await world.stop();
});

const runIdOf = (text: string) => /FB-\d+/.exec(text)?.[0] ?? '';

async function requestFailback(
  vms: string[],
  extra: Parameters<typeof submitRequest>[2] extends infer F ? Partial<F> : never = {},
) {
  const { view } = await openRequestModal(world);
  const withPoints = await chooseVms(world, view, vms);
  const reply = await submitRequest(world, withPoints, { vms, ...extra });
  return reply;
}

const waitForPromptWithCommit = () => waitForCommitPrompt(world);

describe('when a responder requests a failback of one VM', () => {
  it('answers /failback within 3 s with a loading modal, then fills it from ASR', async () => {
    const { reply, view } = await openRequestModal(world);
    expect(reply.status).toBe(200);
    expect(reply.withinSlackTimeout).toBe(true);
    const opened = world.slack.callsTo('views.open')[0];
    expect(JSON.stringify(opened?.args)).toContain('Reading');
    const text = textOf(view);
    expect(text).toContain('app-01');
    expect(text).toContain('Latest (crash-consistent)');
    expect(text).toMatch(/not ready|cannot|replicates from AVS to Azure/i);
  });

  it('opens the whole form with one Slack call while this process holds fresh lists', async () => {
    await openRequestModal(world);
    const before = world.slack.callsTo('views.update').length;
    const { reply, view } = await openRequestModal(world);
    expect(reply.withinSlackTimeout).toBe(true);
    // The form itself went out with the trigger; nothing was left to fill in.
    expect(JSON.stringify(world.slack.callsTo('views.open').at(-1)?.args)).toContain('app-01');
    expect(world.slack.callsTo('views.update').slice(before)).toEqual([]);
    expect(textOf(view)).toContain('Latest (crash-consistent)');
  });

  it('opens the held form once more through the Web API client when Slack answers its one call 429', async () => {
    await openRequestModal(world);
    const opensBefore = world.slack.callsTo('views.open').length;
    // The fast call is refused once; the same form then goes through the client, which opens it.
    world.slack.faults.rateLimit('views.open', 1, 1);
    const { reply, view } = await openRequestModal(world);
    expect(reply.withinSlackTimeout).toBe(true);
    const opens = world.slack.callsTo('views.open').slice(opensBefore);
    expect(opens.map((c) => c.httpStatus)).toEqual([429, 200]);
    expect(textOf(view)).toContain('app-01');
    expect(world.slack.callsTo('views.update').length).toBe(1);
  });

  it('runs the whole failback to the commit with exactly one failover and one commit POST', async () => {
    const submitted = await requestFailback(['app-01'], {
      reason: 'Power restored <!channel> <https://evil.example|click>',
    });
    expect(submitted.responseAction).toBe('clear');

    const { card, prompt } = await waitForPromptWithCommit();
    const runId = runIdOf(textOf(card));
    expect(runId).toMatch(/^FB-\d+$/);
    expect(textOf(card)).toContain('&lt;!channel&gt;');
    expect(textOf(card)).not.toContain('<!channel>');

    const failovers = world.emulator.operationPosts('unplannedFailover');
    expect(failovers).toHaveLength(1);
    expect(failovers[0]?.body).toMatchObject({
      properties: {
        // Recorded: a reprotected classic item is active in Primary (Azure) and fails back PrimaryToRecovery.
        failoverDirection: 'PrimaryToRecovery',
        sourceSiteOperations: 'Required',
        providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTime' },
      },
    });
    expect(textOf(prompt)).toMatch(/shut down/i);

    // The requester may not commit their own run (four-eyes), a bystander is no approver.
    for (const user of [PEOPLE.requester.id, PEOPLE.bystander.id]) {
      await world.slack.clickButton({
        userId: user,
        channelId: INCIDENT_CHANNEL,
        messageTs: prompt.ts,
        actionId: ACTION.commit,
      });
      await world.slack.waitFor((s) => s.ephemerals({ user }).length > 0, { message: `refusal for ${user}` });
    }
    expect(world.slack.ephemerals({ user: PEOPLE.requester.id })[0]?.text).toMatch(/four-eyes|another approver/i);
    expect(world.slack.ephemerals({ user: PEOPLE.bystander.id })[0]?.text).toMatch(/only configured approvers/i);
    expect(world.slack.openViews(PEOPLE.bystander.id)).toHaveLength(0);

    // The approver double-clicks; the confirmation names the Azure VM that will be deleted.
    for (let i = 0; i < 2; i++) {
      await world.slack.clickButton({
        userId: PEOPLE.approver.id,
        channelId: INCIDENT_CHANNEL,
        messageTs: prompt.ts,
        actionId: ACTION.commit,
      });
    }
    const confirms = await world.slack.waitFor((s) => {
      const v = s.openViews(PEOPLE.approver.id).filter((x) => x.view.callback_id === CALLBACK.confirmCommit);
      return v.length === 2 ? v : undefined;
    });
    expect(textOf(confirms[0]!)).toContain('app-01');
    expect(textOf(confirms[0]!)).toMatch(/delete/i);
    const answers = await Promise.all(
      confirms.map((v) => world.slack.submitView({ userId: PEOPLE.approver.id, viewId: v.id })),
    );
    expect(answers.map((a) => a.responseAction).sort()).toEqual(['clear', 'update']);

    await world.slack.waitFor((s) => /Committed/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts)!)), {
      timeoutMs: 20_000,
      message: 'card says committed',
    });
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(1);
    const after = world.slack.message(INCIDENT_CHANNEL, prompt.ts)!;
    expect(findAction(after.blocks, ACTION.commit)).toBeUndefined();
    expect(textOf(after)).toContain(`<@${PEOPLE.approver.id}>`);
    expect(runId).toBeTruthy();
  });

  it('lets an approver from a user group commit', async () => {
    await requestFailback(['web-01']);
    const { prompt, card } = await waitForPromptWithCommit();
    await world.slack.clickButton({
      userId: PEOPLE.groupApprover.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    const confirm = await world.slack.waitFor((s) => s.openViews(PEOPLE.groupApprover.id)[0]);
    await world.slack.submitView({ userId: PEOPLE.groupApprover.id, viewId: confirm.id });
    await world.slack.waitFor((s) => /Committed/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts)!)), {
      timeoutMs: 20_000,
    });
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(1);
  });
});

describe('preflight', () => {
  it('refuses a VM without recovery points inline, naming it, and starts nothing', async () => {
    const { view } = await openRequestModal(world);
    const noPoints = [...vmOptions(view).keys()].find((n) => /nopoints|no-points|empty/i.test(n));
    expect(noPoints).toBeDefined();
    const shown = await chooseVms(world, view, [noPoints!]);
    const reply = await submitRequest(world, shown, { vms: [noPoints!] });
    expect(reply.responseAction).toBe('errors');
    expect(Object.values(reply.errors ?? {}).join(' ')).toContain(`${noPoints} has no recovery point`);
    expect(world.emulator.operationPosts()).toHaveLength(0);
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(0);
  });

  it('refuses a VM that another request took meanwhile, naming that run', async () => {
    const first = await openRequestModal(world, PEOPLE.requester.id);
    const second = await openRequestModal(world, PEOPLE.bystander.id);
    const shownFirst = await chooseVms(world, first.view, ['app-01'], PEOPLE.requester.id);
    const shownSecond = await chooseVms(world, second.view, ['app-01'], PEOPLE.bystander.id);
    expect((await submitRequest(world, shownFirst, { vms: ['app-01'] }, PEOPLE.requester.id)).responseAction).toBe(
      'clear',
    );
    const reply = await submitRequest(world, shownSecond, { vms: ['app-01'] }, PEOPLE.bystander.id);
    expect(reply.responseAction).toBe('errors');
    expect(Object.values(reply.errors ?? {}).join(' ')).toMatch(/app-01 is already in run FB-\d+/);
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length === 1);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });

  it('refuses /failback in a channel that is not allowed', async () => {
    const reply = await world.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: 'C0RANDOM' });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body)).toMatch(/not enabled in this channel/);
    expect(world.slack.callsTo('views.open')).toHaveLength(0);
  });

  it('explains the flow with /failback help', async () => {
    const reply = await world.slack.sendCommand({
      userId: PEOPLE.requester.id,
      channelId: INCIDENT_CHANNEL,
      text: 'help',
    });
    expect(JSON.stringify(reply.body)).toMatch(/commit/i);
  });
});

describe('signed requests', () => {
  it.each([
    ['a forged signature', { forgeSignature: true }],
    ['a timestamp older than 5 minutes', { staleBySeconds: 6 * 60 }],
  ])('refuses %s with 401 and does nothing', async (_name, options) => {
    const reply = await world.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL, options });
    expect(reply.status).toBe(401);
    expect(world.slack.callsTo('views.open')).toHaveLength(0);
    expect(blocksOf).toBeDefined();
  });
});

describe('when ASR accepts the failover but the answer is lost', () => {
  it('follows the operation it started instead of posting again', async () => {
    world.emulator.faults.add({
      match: { method: 'POST', path: /unplannedFailover/ },
      kind: 'drop-after-accept',
      times: 1,
    });
    await requestFailback(['db-01']);
    await waitForPromptWithCommit();
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });
});

describe('a specific recovery point', () => {
  /** The requester picks app-01 and its 4th newest point (the list loads while a person types). */
  async function submitWithSpecificPoint() {
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01']);
    expect(textOf(shown)).toContain('Or a specific recovery point');
    // Like a person typing again while a slow vault is still listing the points.
    const options = await waitFor(
      async () => {
        const reply = await world.slack.suggestOptions({
          userId: PEOPLE.requester.id,
          viewId: shown.id,
          actionId: ACTION.specificPoint,
          blockId: BLOCK.specificPoint,
          value: '',
        });
        expect(reply.withinSlackTimeout).toBe(true);
        return reply.options.length > 0 ? reply.options : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'recovery points offered' },
    );
    expect(options.length).toBeGreaterThan(10);
    expect(options.length).toBeLessThanOrEqual(100);
    const texts = options.map((o) => String((o.text as { text: string }).text));
    expect([...texts].sort().reverse()).toEqual(texts); // newest first
    const chosen = options[3]!;
    return world.slack.submitView({
      userId: PEOPLE.requester.id,
      viewId: shown.id,
      values: {
        [BLOCK.vms]: { [ACTION.vms]: [vmOptions(shown).get('app-01')!] },
        [BLOCK.specificPoint]: { [ACTION.specificPoint]: { value: String(chosen.value), text: texts[3] } },
        [BLOCK.incident]: { [ACTION.incident]: 'INC-9' },
        [BLOCK.reason]: { [ACTION.reason]: 'roll back to before the corruption' },
      },
    });
  }

  it('reaches ASR as Custom with the chosen point of the one VM', async () => {
    expect((await submitWithSpecificPoint()).responseAction).toBe('clear');
    await waitForPromptWithCommit();
    const body = world.emulator.operationPosts('unplannedFailover')[0]?.body as {
      properties: { providerSpecificDetails: { recoveryPointType: string; recoveryPointId: string } };
    };
    expect(body.properties.providerSpecificDetails.recoveryPointType).toBe('Custom');
    expect(body.properties.providerSpecificDetails.recoveryPointId).toMatch(/\/recoveryPoints\/[^/]+$/);
  });

  it('when ASR refuses it (never recorded for a failback), shows ASR’s message and what to do instead', async () => {
    const asrMessage = 'A failback to a custom recovery point is not supported for this virtual machine.';
    world.emulator.faults.add({
      kind: 'status',
      match: { method: 'POST', path: '/unplannedFailover' },
      status: 400,
      code: 'InvalidRecoveryPointType',
      message: asrMessage,
    });
    expect((await submitWithSpecificPoint()).responseAction).toBe('clear');
    const card = await world.slack.waitFor(
      (s) => {
        const m = s.messages(INCIDENT_CHANNEL)[0];
        return m && /— Failed/.test(textOf(m)) ? m : undefined;
      },
      { timeoutMs: 30_000, message: 'card says Failed' },
    );
    expect(textOf(card)).toContain(asrMessage);
    expect(textOf(card)).toMatch(
      /refused the failback to a specific recovery point; nothing was done\. Request it again with “Latest”/,
    );
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
  });

  it('is explained as unavailable, next to the field, for a modernized VM', async () => {
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['crm-01']);
    expect(textOf(shown)).toContain('A specific recovery point is not available for *crm-01*');
    expect(textOf(shown)).not.toContain('Or a specific recovery point');
  });
});
