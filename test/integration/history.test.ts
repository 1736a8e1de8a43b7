import type { Runtime } from '../../src/runtime';
import type { EmulatorOptions } from '@failback/asr-emulator';
import {
  chooseVms,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
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

describe('/failback status and history', () => {
  it('creates one run for two submissions of the same request; /failback status and history show it', async () => {
    await start();
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01']);
    const replies = await Promise.allSettled([
      submitRequest(world, shown, { vms: ['app-01'] }),
      submitRequest(world, shown, { vms: ['app-01'] }),
    ]);
    expect(replies.some((r) => r.status === 'fulfilled' && r.value.responseAction === 'clear')).toBe(true);
    const { card } = await waitForCommitPrompt(world);
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    const runId = /FB-\d+/.exec(textOf(card))![0];
    const status = await world.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: `status ${runId}`,
    });
    expect(JSON.stringify(status.body)).toContain(`Failback ${runId}`);
    const none = await world.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: 'status FB-999',
    });
    expect(JSON.stringify(none.body)).toContain('There is no run FB-999');
    const history = await world.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: 'history 5',
    });
    const listed = JSON.stringify(history.body);
    expect(listed).toContain(`*${runId}*`);
    expect(listed).toContain('app-01');
    expect(listed).toContain('Waiting for an approver to commit');
    expect(listed).toContain(`requested by <@${PEOPLE.requester.id}>`);
  });
});
