import { Redis } from 'ioredis';
import { ACTION, BLOCK, CALLBACK } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
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
} from '@failback/sandbox';
import type { StoredMessage } from '@failback/slack-standin';
import { RunStore } from '../../src/store/run-store';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: Runtime;
let redis: Redis;
let store: RunStore;

const FOUR = ['app-01', 'db-01', 'web-01', 'crm-01'];
const asrMessage = 'The virtual machine web-01 could not be powered on: host esx-07 is in maintenance mode';

beforeEach(async () => {
  const prefix = uniquePrefix('partial');
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix });
  bot = await world.startBot();
  redis = new Redis(testRedisUrl());
  store = new RunStore({ redis, prefix });
  world.emulator.faults.add({
    kind: 'job-fails',
    operation: 'unplannedFailover',
    item: 'web-01',
    code: 'VmPowerOnFailed',
    message: asrMessage,
  });
});

afterEach(async () => {
  redis.disconnect();
  await bot.stop();
  await world.stop();
});

/** Requests the four VMs and waits for the prompt that offers the commit of the three that failed over. */
async function fourVmRunWithOneFailure(): Promise<{ card: StoredMessage; prompt: StoredMessage }> {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, FOUR);
  expect((await submitRequest(world, shown, { vms: FOUR })).responseAction).toBe('clear');
  return world.slack.waitFor(
    (s) => {
      const card = s.messages(INCIDENT_CHANNEL)[0];
      const prompt = card && promptOf(world, card);
      return prompt && findAction(prompt.blocks, ACTION.retryFailover) ? { card, prompt } : undefined;
    },
    { timeoutMs: 30_000, message: 'prompt offering Retry failover' },
  );
}

const buttonText = (m: StoredMessage, action: string) => JSON.stringify(findAction(m.blocks, action)?.text ?? null);

describe('a 4-VM run where one VM fails to fail over', () => {
  it('offers Commit 3 of 4 VMs, shows ASR’s error, and a retry in the same run then commits all four', async () => {
    const { card, prompt } = await fourVmRunWithOneFailure();
    expect(textOf(prompt)).toContain(`*web-01* — failed: ${asrMessage} (VmPowerOnFailed)`);
    expect(buttonText(prompt, ACTION.commit)).toContain('Commit 3 of 4 VMs');
    expect(buttonText(prompt, ACTION.retryFailover)).toContain('Retry failover (1)');

    // A bystander cannot retry: told so, nothing happens.
    await world.slack.clickButton({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.retryFailover,
    });
    await world.slack.waitFor((s) => s.ephemerals({ user: PEOPLE.bystander.id }).length > 0, {
      message: 'refusal for the bystander',
    });
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(3); // crm-01 fails back by planned failover

    await world.slack.clickButton({
      userId: PEOPLE.requester.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.retryFailover,
    });
    const again = await world.slack.waitFor(
      (s) => {
        const p = s.message(INCIDENT_CHANNEL, prompt.ts);
        return p && buttonText(p, ACTION.commit).includes('Commit 4 VMs') ? p : undefined;
      },
      { timeoutMs: 30_000, message: 'prompt offering Commit 4 VMs after the retry' },
    );
    expect(findAction(again.blocks, ACTION.retryFailover)).toBeUndefined();
    const posts = world.emulator.operationPosts('unplannedFailover');
    const web = world.emulator.item('web-01')!.name;
    expect(posts).toHaveLength(4); // the three classic VMs + the retry of web-01
    expect(posts.filter((p) => p.path.includes(web))).toHaveLength(2);
    expect(world.emulator.operationPosts('plannedFailover')).toHaveLength(1);

    await world.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    const confirm = await world.slack.waitFor((s) =>
      s.openViews(PEOPLE.approver.id).find((v) => v.view.callback_id === CALLBACK.confirmCommit),
    );
    expect(textOf(confirm)).toContain('Azure VMs that will be deleted (4)');
    await world.slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id });
    await waitForCardText(world, card.ts, /Committed — ready for reprotect/);
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(4);
  });

  it('leaves the failed VM out with a recorded reason: released, and the commit names exactly the other three', async () => {
    const { card, prompt } = await fourVmRunWithOneFailure();
    const runId = /Failback (FB-\d+)/.exec(textOf(card))![1]!;

    await world.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.leaveOut,
    });
    const modal = await world.slack.waitFor((s) =>
      s.openViews(PEOPLE.approver.id).find((v) => v.view.callback_id === CALLBACK.leaveOut),
    );
    expect(textOf(modal)).toContain('web-01');
    // A reason is required: nothing changes without one.
    const empty = await world.slack.submitView({
      userId: PEOPLE.approver.id,
      viewId: modal.id,
      values: { [BLOCK.leaveOutReason]: { [ACTION.leaveOutReason]: ' ' } },
      allowEmptyRequired: true,
    });
    expect(empty.responseAction).toBe('errors');
    const reason = 'Host esx-07 is being replaced; web-01 fails back with <!channel> next week';
    const reply = await world.slack.submitView({
      userId: PEOPLE.approver.id,
      viewId: modal.id,
      values: { [BLOCK.leaveOutReason]: { [ACTION.leaveOutReason]: reason } },
    });
    expect(reply.responseAction).toBe('clear');

    const updated = await world.slack.waitFor(
      (s) => {
        const p = s.message(INCIDENT_CHANNEL, prompt.ts);
        return p && textOf(p).includes('left out by') ? p : undefined;
      },
      { message: 'prompt showing the VM left out' },
    );
    expect(textOf(updated)).toContain(`left out by <@${PEOPLE.approver.id}>`);
    expect(textOf(updated)).not.toContain('<!channel>'); // the reason is escaped
    expect(findAction(updated.blocks, ACTION.retryFailover)).toBeUndefined();
    expect((await store.trail(runId)).find((e) => e.what === 'VM left out of the run')).toMatchObject({
      actor: PEOPLE.approver.id,
      vm: 'web-01',
      detail: reason,
    });

    // Released: web-01 may be requested in a new run at once.
    const released = await store.activeRunsOf([world.emulator.items().find((i) => i.friendlyName === 'web-01')!.id]);
    expect(released.size).toBe(0);

    await world.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    const confirm = await world.slack.waitFor((s) =>
      s.openViews(PEOPLE.approver.id).find((v) => v.view.callback_id === CALLBACK.confirmCommit),
    );
    const text = textOf(confirm);
    expect(text).toContain('Azure VMs that will be deleted (3)');
    for (const vm of ['app-01', 'db-01', 'crm-01']) expect(text).toContain(`• ${vm}`);
    expect(text).not.toContain('• web-01');
    await world.slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id });
    await waitForCardText(world, card.ts, /Committed — ready for reprotect/);
    const commits = world.emulator.operationPosts('failoverCommit');
    expect(commits).toHaveLength(3);
    expect(commits.some((c) => c.path.includes(world.emulator.item('web-01')!.name))).toBe(false);
  });
});
