import { DefaultAzureCredential } from '@azure/identity';
import { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { RestError } from '@azure/core-rest-pipeline';
import { DEFAULT_SCENARIO, startAsrEmulator, type AsrEmulator } from '../../src/sandbox/asr-emulator';
import { trustEmulatorPolicy } from '../../src/sandbox/asr-emulator/trust';

jest.setTimeout(60_000);

const S = DEFAULT_SCENARIO;
const RG = S.resourceGroup;
const VAULT = S.vault;
const VAULT_ID = `/Subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;

let emulator: AsrEmulator;
let client: SiteRecoveryManagementClient;

function parts(name: string): [string, string, string] {
  const snap = emulator.item(name);
  if (!snap) throw new Error(`no item ${name}`);
  return [snap.fabric, snap.container, snap.name];
}

const errorOf = <T>(p: Promise<T>): Promise<RestError | undefined> => p.then(() => undefined, (e: RestError) => e);
const poll = { updateIntervalInMs: 100 };
const planned = { properties: { failoverDirection: 'RecoveryToPrimary', providerSpecificDetails: { instanceType: 'InMageRcmFailback' as const, recoveryPointType: 'CrashConsistent' as const } } };
const rcmReprotect = (processServerId: string, policy: string) => ({ properties: { providerSpecificDetails: { instanceType: 'InMageRcmFailback' as const, processServerId, policyId: `${VAULT_ID}/replicationPolicies/${policy}` } } });

beforeAll(async () => {
  emulator = await startAsrEmulator({ taskMs: 30, agentRegistrationDelayMs: 1500 });
  process.env.IDENTITY_ENDPOINT = emulator.identity.endpoint;
  process.env.IDENTITY_HEADER = emulator.identity.header;
  client = new SiteRecoveryManagementClient(new DefaultAzureCredential(), S.subscriptionId, {
    endpoint: emulator.url,
    credentialScopes: ['https://management.azure.com/.default'],
    additionalPolicies: [{ policy: trustEmulatorPolicy(emulator.caCertPem), position: 'perCall' }],
  });
});

afterAll(async () => {
  await emulator.stop();
});

describe('the provider decides the failover operation', () => {
  it('refuses an unplanned failover of an InMageRcmFailback item with 400', async () => {
    const [f, c, n] = parts('crm-01');
    const input = { properties: { failoverDirection: 'RecoveryToPrimary', sourceSiteOperations: 'Required', providerSpecificDetails: { instanceType: 'InMage' as const, recoveryPointType: 'LatestTime' as const } } };
    const error = await errorOf(client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, f, c, n, input));
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('OperationNotSupportedForProvider');
    expect(error?.message).toMatch(/planned failover/i);
  });

  it('refuses a planned failover of a classic item with 400', async () => {
    const [f, c, n] = parts('app-01');
    const error = await errorOf(client.replicationProtectedItems.beginPlannedFailover(VAULT, RG, f, c, n, planned));
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(/not supported .*'app-01'.*InMage/);
  });

  it('refuses a recovery point type the provider does not know', async () => {
    const [f, c, n] = parts('crm-01');
    const input = { properties: { providerSpecificDetails: { instanceType: 'InMageRcmFailback' as const, recoveryPointType: 'LatestTime' as never } } };
    const error = await errorOf(client.replicationProtectedItems.beginPlannedFailover(VAULT, RG, f, c, n, input));
    expect(error?.code).toBe('InvalidParameter');
  });
});

describe('a modernized failback: planned failover, commit, wait for the agent, reprotect', () => {
  it('fails back crm-01 by planned failover and commits', async () => {
    const [f, c, n] = parts('crm-01');
    const ready = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
    expect(ready.properties?.allowedOperations).toContain('PlannedFailover');
    expect(ready.properties?.providerSpecificDetails).toMatchObject({ instanceType: 'InMageRcmFailback', lastUsedPolicyId: `${VAULT_ID}/replicationPolicies/${S.policies.modernizedToAzure}` });

    await client.replicationProtectedItems.beginPlannedFailoverAndWait(VAULT, RG, f, c, n, planned, poll);
    const failedOver = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
    expect(failedOver.properties).toMatchObject({ protectionState: 'PlannedFailoverCommitPendingStatesBegin', activeLocation: 'Primary', allowedOperations: expect.arrayContaining(['Commit']) });

    await client.replicationProtectedItems.beginFailoverCommitAndWait(VAULT, RG, f, c, n, poll);
    const committed = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
    expect(committed.properties?.allowedOperations).toEqual(['Reprotect', 'DisableProtection']);
    expect(committed.properties?.providerSpecificDetails).toMatchObject({ isAgentRegistrationSuccessfulAfterFailover: false });
  });

  it('refuses a reprotect with an InMageRcmFailback policy or a classic process server', async () => {
    const [f, c, n] = parts('crm-01');
    const wrongPolicy = await errorOf(client.replicationProtectedItems.beginReprotect(VAULT, RG, f, c, n, rcmReprotect(S.applianceProcessServer.default, S.policies.modernizedFailback)));
    expect(wrongPolicy?.code).toBe('InvalidPolicy');
    const wrongServer = await errorOf(client.replicationProtectedItems.beginReprotect(VAULT, RG, f, c, n, rcmReprotect(S.processServer.default, S.policies.modernizedToAzure)));
    expect(wrongServer?.code).toBe('ProcessServerNotFound');
  });

  it('fails the reprotect job while the agent has not registered', async () => {
    const [f, c, n] = parts('crm-01');
    const error = await errorOf(client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, f, c, n, rcmReprotect(S.applianceProcessServer.default, S.policies.modernizedToAzure), poll));
    expect(error?.message).toMatch(/agent.*not registered/i);
    const job = emulator.jobs()[0] as { properties: { state: string; errors: { serviceErrorDetails: { code: string } }[] } };
    expect(job.properties.state).toBe('Failed');
    expect(job.properties.errors[0]?.serviceErrorDetails.code).toBe('ReprotectPreconditionFailed');
    expect(emulator.item('crm-01')?.allowedOperations).toContain('Reprotect');
  });

  it('reports the agent registered after agentRegistrationDelayMs, then reprotects to InMageRcm', async () => {
    const [f, c, n] = parts('crm-01');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const item = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
      const details = item.properties?.providerSpecificDetails as { isAgentRegistrationSuccessfulAfterFailover?: boolean };
      if (details.isAgentRegistrationSuccessfulAfterFailover) break;
      if (Date.now() > deadline) throw new Error('agent never registered');
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, f, c, n, rcmReprotect(S.applianceProcessServer.default, S.policies.modernizedToAzure), poll);
    const after = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
    expect(after.properties?.providerSpecificDetails?.instanceType).toBe('InMageRcm');
  });
});

describe('recovery plans', () => {
  it('lists the plans with their groups, VM members and providers', async () => {
    const plans = [];
    for await (const p of client.replicationRecoveryPlans.list(VAULT, RG)) plans.push(p);
    const classic = plans.find((p) => p.name === S.plans.classic);
    expect(classic?.properties?.replicationProviders).toEqual(['InMage']);
    expect(classic?.properties?.allowedOperations).toContain('UnplannedFailover');
    const boot = classic?.properties?.groups?.find((g) => g.groupType === 'Boot');
    expect(boot?.replicationProtectedItems?.map((m) => m.id?.split('/').pop())).toEqual(S.readyVms.map((vm) => emulator.item(vm)?.name));
    const one = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.modernized);
    expect(one.properties?.replicationProviders).toContain('InMageRcmFailback');
  });
});

describe('recovery plan operations', () => {
  const planFailover = (recoveryPointType: 'LatestTime' | 'LatestTag') => ({
    properties: { failoverDirection: 'RecoveryToPrimary' as const, sourceSiteOperations: 'Required' as const, providerSpecificDetails: [{ instanceType: 'InMage' as const, recoveryPointType }] },
  });

  it('fails a classic plan over as one job over all members, then commits it', async () => {
    let jobName = '';
    const poller = await client.replicationRecoveryPlans.beginUnplannedFailover(VAULT, RG, S.plans.classic, planFailover('LatestTime'), {
      ...poll,
      onResponse: (raw) => {
        if (raw.request.method === 'POST') jobName = /replicationOperationStatus\/([^?]+)/.exec(raw.headers.get('azure-asyncoperation') ?? '')?.[1] ?? '';
      },
    });
    expect(S.readyVms.map((vm) => emulator.item(vm)?.currentScenario.jobName)).toEqual(S.readyVms.map(() => jobName));
    const running = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.classic);
    expect(running.properties?.currentScenario?.scenarioName).toBe('UnplannedFailover');
    await poller.pollUntilDone();
    const job = await client.replicationJobs.get(VAULT, RG, jobName);
    expect(job.properties?.targetInstanceType).toBe('RecoveryPlan');
    // Per-VM tasks sit inside the plan's group tasks, as ASR lists them.
    const groups = (job.properties?.tasks ?? []).filter((t) => t.groupTaskCustomDetails);
    expect(groups.map((g) => g.groupTaskCustomDetails?.instanceType)).toEqual(['RecoveryPlanShutdownGroupTaskDetails', 'RecoveryPlanGroupTaskDetails']);
    expect(groups[0]?.groupTaskCustomDetails?.childTasks?.filter((t) => t.name === 'ShutdownVmTask')).toHaveLength(3);
    expect(groups[1]?.groupTaskCustomDetails?.childTasks?.map((t) => t.friendlyName)).toEqual(S.readyVms.map((n) => expect.stringContaining(n)));
    const plan = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.classic);
    expect(plan.properties?.allowedOperations).toContain('Commit');

    await client.replicationRecoveryPlans.beginFailoverCommitAndWait(VAULT, RG, S.plans.classic, poll);
    expect(S.readyVms.map((vm) => emulator.item(vm)?.allowedOperations)).toEqual(S.readyVms.map(() => ['Reprotect', 'DisableProtection']));
    expect(emulator.operationPosts('failoverCommit')).toHaveLength(2);
  });

  it('refuses a plan-level reprotect: reprotect VM by VM', async () => {
    const input = { properties: { failoverDirection: 'PrimaryToRecovery' as const } };
    const error = await errorOf(client.replicationRecoveryPlans.beginReprotect(VAULT, RG, S.plans.classic, input as never));
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(/Reprotect each virtual machine/);
  });
});
