import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  commitAsApprover,
  openRequestModal,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { DEFAULT_SCENARIO } from '@failback/asr-emulator';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

/** The appliance reports the agent registered this long after the planned failover ended. */
const AGENT_DELAY_MS = 6000;

let world: SandboxWorld;
let bot: Runtime;

beforeEach(async () => {
  world = await startSandboxWorld({
    redisUrl: testRedisUrl(),
    prefix: uniquePrefix('mod'),
    emulator: { agentRegistrationDelayMs: AGENT_DELAY_MS },
  });
  bot = await world.startBot();
});

afterEach(async () => {
  await bot.stop();
  await world.stop();
});

describe('a modernized (replication appliance) VM', () => {
  it('fails back by planned failover, waits for its agent before the reprotect, and ends protected by InMageRcm', async () => {
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['crm-01']);
    expect(
      (await submitRequest(world, shown, { vms: ['crm-01'], point: 'latest-app-consistent' })).responseAction,
    ).toBe('clear');
    const { card, prompt } = await waitForCommitPrompt(world);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(0);
    const planned = world.emulator.operationPosts('plannedFailover');
    expect(planned).toHaveLength(1);
    // Recorded: no failoverDirection at all.
    expect(planned[0]?.body).toEqual({
      properties: {
        providerSpecificDetails: { instanceType: 'InMageRcmFailback', recoveryPointType: 'ApplicationConsistent' },
      },
    });

    await commitAsApprover(world, prompt, card.ts);
    const failoverJob = world.emulator
      .jobs()
      .find((j) => (j.properties as { scenarioName?: string }).scenarioName === 'PlannedFailover');
    const failoverEnd = Date.parse(String((failoverJob?.properties as { endTime?: string }).endTime));
    const { modal } = await reprotectWithDefaults(world, card.ts);
    expect(textOf(modal)).toMatch(/Replication appliance/);
    expect(textOf(modal)).toMatch(/avs-appliance01/);
    expect(textOf(modal)).not.toMatch(/avs-cs01/);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 40_000);

    const reprotects = world.emulator.operationPosts('reprotect');
    expect(reprotects).toHaveLength(1);
    // No reprotect was sent before the appliance reported the agent registered.
    expect(reprotects[0]!.time.getTime() - failoverEnd).toBeGreaterThanOrEqual(AGENT_DELAY_MS);
    // The recorded body: no direction; the appliance's process server, a run-as account of the Azure
    // Migrate VMware site (read from its own resource group; a Windows VM: the Windows guest account), the last used policy.
    expect(reprotects[0]?.body).toEqual({
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          processServerId: DEFAULT_SCENARIO.applianceProcessServer.default,
          runAsAccountId: DEFAULT_SCENARIO.vmwareSite.runAsAccounts.windowsGuest,
          policyId: expect.stringMatching(
            new RegExp(`/replicationPolicies/${DEFAULT_SCENARIO.policies.modernizedToAzure}$`),
          ),
        },
      },
    });
    expect(textOf(modal)).toMatch(/Run-as account \(Azure Migrate VMware site\)/);
    expect(world.emulator.item('crm-01')?.provider).toBe('InMageRcm');
  });
});

describe('a run mixing a classic and a modernized VM', () => {
  it('issues one unplanned and one planned failover, then each VM its own generation’s reprotect', async () => {
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['web-01', 'crm-02']);
    await submitRequest(world, shown, { vms: ['web-01', 'crm-02'] });
    const { card, prompt } = await waitForCommitPrompt(world);
    expect(world.emulator.operationPosts('unplannedFailover').map((p) => p.path)).toEqual([
      expect.stringContaining(world.emulator.item('web-01')!.name),
    ]);
    expect(world.emulator.operationPosts('plannedFailover').map((p) => p.path)).toEqual([
      expect.stringContaining(world.emulator.item('crm-02')!.name),
    ]);
    await commitAsApprover(world, prompt, card.ts);
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(2);
    const { modal } = await reprotectWithDefaults(world, card.ts);
    expect(textOf(modal)).toMatch(/Configuration server avs-cs01.*web-01/);
    expect(textOf(modal)).toMatch(/Replication appliance avs-appliance01.*crm-02/);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 40_000);
    const kinds = world.emulator
      .operationPosts('reprotect')
      .map(
        (p) =>
          (p.body as { properties: { providerSpecificDetails: { instanceType: string } } }).properties
            .providerSpecificDetails.instanceType,
      );
    expect(kinds.sort()).toEqual(['InMageAzureV2', 'InMageRcmFailback']);
  });
});
