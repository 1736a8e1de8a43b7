import { ACTION } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  commitAsApprover,
  findAction,
  openRequestModal,
  reprotectWithDefaults,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '../../src/sandbox/person';
import { INCIDENT_CHANNEL, PEOPLE, startSandboxWorld, type SandboxWorld } from '../../src/sandbox/world';
import { DEFAULT_SCENARIO, type EmulatorOptions } from '../../src/sandbox/asr-emulator';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: Runtime;

async function start(env: Record<string, string> = {}, emulator: EmulatorOptions = {}) {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('rp'), env, emulator });
  bot = await world.startBot();
}

afterEach(async () => {
  await bot?.stop();
  await world?.stop();
});

/** Request → failover → commit for one VM; returns the card's ts. */
async function failBackAndCommit(vm: string): Promise<string> {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, [vm]);
  await submitRequest(world, shown, { vms: [vm] });
  const { card, prompt } = await waitForCommitPrompt(world);
  await commitAsApprover(world, prompt, card.ts);
  return card.ts;
}

const reprotectPosts = () => world.emulator.operationPosts('reprotect');

describe('reprotect to Azure after the commit', () => {
  it('retries through the agent window (two refusals) and ends with the VM protected, one reprotect in flight at a time', async () => {
    await start();
    world.emulator.faults.add({ kind: 'agent-not-registered', as: 'refuse', times: 2 });
    const cardTs = await failBackAndCommit('app-01');

    const { modal, reply } = await reprotectWithDefaults(world, cardTs);
    expect(textOf(modal)).toMatch(/Process server/);
    expect(textOf(modal)).toMatch(/unhealthy/);
    // The recorded input: process server (master target = the same), run-as account, the container mapping's policy.
    expect(textOf(modal)).toMatch(/Process server.*Run-as account.*Replication policy/);
    expect(textOf(modal)).toMatch(/azure-ps01 \(served the failback from Azure\)/);
    expect(textOf(modal)).not.toMatch(/Master target|Storage account/);
    expect(reply.responseAction).toBe('clear');

    await waitForCardText(world, cardTs, /waiting for the VM’s agent.*attempt 2/);
    const done = await waitForCardText(world, cardTs, /Done — protected to Azure again/, 40_000);
    expect(textOf(done)).toMatch(/protected to Azure again/);

    const posts = reprotectPosts();
    expect(posts.map((p) => p.status)).toEqual([400, 400, 202]);
    // The recorded body; the defaults: the configuration server's own process server (never the Azure-side
    // one that served the failback), the first run-as account, the policy mapped to the VM's container.
    const s = DEFAULT_SCENARIO;
    expect(posts[2]?.body).toEqual({
      properties: {
        failoverDirection: 'RecoveryToPrimary',
        providerSpecificDetails: {
          instanceType: 'InMageAzureV2',
          processServerId: s.processServer.default,
          masterTargetId: s.processServer.default,
          runAsAccountId: s.runAsAccount,
          policyId: expect.stringMatching(new RegExp(`/replicationPolicies/${s.policies.classicToAzure}$`)),
        },
      },
    });
    expect(world.emulator.item('app-01')?.provider).toBe('InMageAzureV2');

    const summary = await world.slack.waitFor((s) => s.thread(INCIDENT_CHANNEL, cardTs).find((m) => /finished/.test(m.text)));
    expect(textOf(summary)).toMatch(/Timeline/);
    expect(findAction(world.slack.message(INCIDENT_CHANNEL, cardTs)!.blocks, ACTION.reprotect)).toBeUndefined();
  });

  it('fails fast with ASR’s message on another error and offers Retry reprotect', async () => {
    await start({}, {});
    const cardTs = await failBackAndCommit('db-01');
    world.emulator.faults.add({ kind: 'job-fails', operation: 'reprotect', message: 'The storage account is not reachable from the process server.' });
    await reprotectWithDefaults(world, cardTs);
    const failed = await waitForCardText(world, cardTs, /Reprotect failed/);
    expect(textOf(failed)).toContain('The storage account is not reachable from the process server.');
    expect(findAction(failed.blocks, ACTION.reprotect)).toBeDefined();
    expect(reprotectPosts()).toHaveLength(1);

    await reprotectWithDefaults(world, cardTs);
    await waitForCardText(world, cardTs, /Done — protected to Azure again/);
    expect(reprotectPosts()).toHaveLength(2);
  });

  it('stops with ASR’s message when the agent does not register within the window', async () => {
    await start({ REPROTECT_RETRY_WINDOW_MINUTES: '0.03', REPROTECT_RETRY_INTERVAL_SECONDS: '0.5' });
    world.emulator.faults.add({ kind: 'agent-not-registered', as: 'job', times: 100 });
    const cardTs = await failBackAndCommit('web-01');
    await reprotectWithDefaults(world, cardTs);
    const failed = await waitForCardText(world, cardTs, /Reprotect failed/, 40_000);
    expect(textOf(failed)).toMatch(/Mobility service/);
    expect(findAction(failed.blocks, ACTION.reprotect)).toBeDefined();
    const n = reprotectPosts().length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(6);
  });

  it('starts by itself with FAILBACK_AUTO_REPROTECT and the configured process server, and says so', async () => {
    await start({ FAILBACK_AUTO_REPROTECT: 'true', FAILBACK_DEFAULT_PROCESS_SERVER: 'avs-cs01' });
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['db-01']);
    await submitRequest(world, shown, { vms: ['db-01'] });
    const { card, prompt } = await waitForCommitPrompt(world);
    await world.slack.clickButton({ userId: PEOPLE.approver.id, channelId: INCIDENT_CHANNEL, messageTs: prompt.ts, actionId: ACTION.commit });
    const confirm = await world.slack.waitFor((s) => s.openViews(PEOPLE.approver.id)[0]);
    await world.slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id });
    const done = await waitForCardText(world, card.ts, /Done — protected to Azure again/);
    expect(textOf(done)).toMatch(/autopilot/);
    expect(reprotectPosts()).toHaveLength(1);
    expect(reprotectPosts()[0]?.body).toMatchObject({
      properties: { providerSpecificDetails: { processServerId: DEFAULT_SCENARIO.processServer.default } },
    });
  });

  it('refuses Reprotect to someone who is no approver', async () => {
    await start();
    const cardTs = await failBackAndCommit('app-01');
    await world.slack.clickButton({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, messageTs: cardTs, actionId: ACTION.reprotect });
    await world.slack.waitFor((s) => s.ephemerals({ user: PEOPLE.bystander.id }).length > 0);
    expect(world.slack.ephemerals({ user: PEOPLE.bystander.id })[0]?.text).toMatch(/only configured approvers/i);
    expect(world.slack.openViews(PEOPLE.bystander.id)).toHaveLength(0);
    expect(reprotectPosts()).toHaveLength(0);
  });
});
