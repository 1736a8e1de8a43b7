import { ACTION, BLOCK } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import type { EmulatorOptions } from '../../src/sandbox/asr-emulator';
import {
  chooseVms,
  commitAsApprover,
  findAction,
  openRequestModal,
  promptOf,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '../../src/sandbox/person';
import { INCIDENT_CHANNEL, PEOPLE, startSandboxWorld, type SandboxWorld } from '../../src/sandbox/world';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld;
let bot: Runtime | undefined;

async function start(emulator: EmulatorOptions = {}) {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('edge'), emulator });
  bot = await world.startBot();
}

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await world.stop();
});

async function request(vms: string[]) {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, vms);
  return { shown, reply: await submitRequest(world, shown, { vms }) };
}

describe('when the failover job fails in ASR', () => {
  it('shows ASR’s own message, offers no Commit and closes the run', async () => {
    await start();
    world.emulator.faults.add({ kind: 'job-fails', operation: 'unplannedFailover', item: 'web-01', message: 'The VM could not be powered on in the AVS cluster.' });
    await request(['web-01']);
    const card = await world.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0]);
    const failed = await waitForCardText(world, card.ts, /Failed/);
    expect(textOf(failed)).toContain('The VM could not be powered on in the AVS cluster.');
    const prompt = await world.slack.waitFor(() => promptOf(world, card));
    expect(textOf(prompt)).toContain('The VM could not be powered on in the AVS cluster.');
    expect(findAction(prompt.blocks, ACTION.commit)).toBeUndefined();
    // The run is closed: the VM is free for a new request.
    const { view } = await openRequestModal(world, PEOPLE.bystander.id);
    const again = await chooseVms(world, view, ['web-01'], PEOPLE.bystander.id);
    expect((await submitRequest(world, again, { vms: ['web-01'] }, PEOPLE.bystander.id)).responseAction).toBe('clear');
  });
});

describe('when ASR could not shut the Azure VM down', () => {
  it('warns in the verification prompt and still offers Commit', async () => {
    await start();
    world.emulator.faults.add({ kind: 'shutdown-task-fails', item: 'app-01' });
    await request(['app-01']);
    const { prompt } = await waitForCommitPrompt(world);
    expect(textOf(prompt)).toMatch(/could not shut the Azure VM down/i);
  });
});

describe('while the failover runs', () => {
  it('edits the one card in place with the current ASR task and the job id', async () => {
    await start({ taskMs: 700 });
    await request(['db-01']);
    const card = await world.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0]);
    const progress = await waitForCardText(world, card.ts, /failover running — .+\(\d\/\d\)/);
    const job = world.emulator.item('db-01')?.currentScenario.jobName;
    expect(job).toBeDefined();
    expect(textOf(progress)).toContain(job!);
    await waitForCommitPrompt(world);
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(world.slack.callsTo('chat.update').length).toBeGreaterThan(1);
  });
});

describe('a vault with more VMs than a static select may list', () => {
  it('offers the VMs by type-ahead and fails back the one chosen', async () => {
    await start({ extraVms: 150 });
    const { view } = await openRequestModal(world);
    const select = findAction(view.view.blocks as never, ACTION.vms);
    expect(select?.type).toBe('multi_external_select');
    const { options } = await world.slack.suggestOptions({ userId: PEOPLE.requester.id, viewId: view.id, actionId: ACTION.vms, blockId: BLOCK.vms, value: '' });
    expect(options.length).toBe(100);
    const extra = world.emulator.items().find((i) => /\d{3}/.test(i.friendlyName) && i.allowedOperations.includes('UnplannedFailover'));
    expect(extra).toBeDefined();
    const typed = await world.slack.suggestOptions({ userId: PEOPLE.requester.id, viewId: view.id, actionId: ACTION.vms, blockId: BLOCK.vms, value: extra!.friendlyName });
    const option = typed.options.find((o) => (o.text as { text: string }).text === extra!.friendlyName);
    expect(option).toBeDefined();
    await world.slack.chooseOption({ viewId: view.id, userId: PEOPLE.requester.id, actionId: ACTION.vms, pick: [{ value: String(option!.value), text: extra!.friendlyName }] });
    const shown = await world.slack.waitFor((s) => {
      const v = s.views.get(view.id);
      return v && textOf(v).includes('Recovery points') ? v : undefined;
    });
    const reply = await world.slack.submitView({
      userId: PEOPLE.requester.id,
      viewId: shown.id,
      values: {
        [BLOCK.vms]: { [ACTION.vms]: [{ value: String(option!.value), text: extra!.friendlyName }] },
        [BLOCK.incident]: { [ACTION.incident]: 'INC-1' },
        [BLOCK.reason]: { [ACTION.reason]: 'big vault' },
      },
    });
    expect(reply.responseAction).toBe('clear');
    await waitForCommitPrompt(world);
    expect(world.emulator.operationPosts('unplannedFailover').map((p) => p.path)).toEqual([expect.stringContaining(extra!.name)]);
  });
});

describe('double submission and status', () => {
  it('creates one run for two submissions of the same request; /failback status and history show it', async () => {
    await start();
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01']);
    const replies = await Promise.allSettled([submitRequest(world, shown, { vms: ['app-01'] }), submitRequest(world, shown, { vms: ['app-01'] })]);
    expect(replies.some((r) => r.status === 'fulfilled' && r.value.responseAction === 'clear')).toBe(true);
    const { card } = await waitForCommitPrompt(world);
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    const runId = /FB-\d+/.exec(textOf(card))![0];
    const status = await world.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: `status ${runId}` });
    expect(JSON.stringify(status.body)).toContain(`Failback ${runId}`);
    const none = await world.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: 'status FB-999' });
    expect(JSON.stringify(none.body)).toContain('There is no run FB-999');
    const history = await world.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: 'history 5' });
    const listed = JSON.stringify(history.body);
    expect(listed).toContain(`*${runId}*`);
    expect(listed).toContain('app-01');
    expect(listed).toContain('Waiting for an approver to commit');
    expect(listed).toContain(`requested by <@${PEOPLE.requester.id}>`);
  });
});

describe('when Slack rate-limits chat.update', () => {
  it('the card still ends in the right state', async () => {
    await start();
    await request(['app-01']);
    world.slack.faults.rateLimit('chat.update', 3, 1);
    const { card, prompt } = await waitForCommitPrompt(world, 30_000);
    await commitAsApprover(world, prompt, card.ts);
    expect(textOf(world.slack.message(INCIDENT_CHANNEL, card.ts)!)).toMatch(/Committed — ready for reprotect/);
    expect(world.slack.callsTo('chat.update').filter((c) => c.httpStatus === 429)).toHaveLength(3);
  });
});
