import {
  type SiteRecoveryManagementClient,
  type ReplicationProtectedItem,
} from '@azure/arm-recoveryservices-siterecovery';
import type { RestError } from '@azure/core-rest-pipeline';
import { type AsrEmulator, DEFAULT_SCENARIO, startAsrEmulator } from '../src';
import { emulatorClient } from './support/emulator-client';

jest.setTimeout(60_000);

const S = DEFAULT_SCENARIO;
const RG = S.resourceGroup;
const VAULT = S.vault;
const VAULT_ID = `/Subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: AsrEmulator;
let client: SiteRecoveryManagementClient;

function parts(name: string): [string, string, string] {
  const snap = emulator.item(name);
  if (!snap) throw new Error(`no item ${name}`);
  return [snap.fabric, snap.container, snap.name];
}

const errorOf = <T>(p: Promise<T>): Promise<RestError | undefined> =>
  p.then(
    () => undefined,
    (e: RestError) => e,
  );
const poll = { updateIntervalInMs: 100 };
const getItem = (name: string) => client.replicationProtectedItems.get(VAULT, RG, ...parts(name));
const detailsOf = (item: ReplicationProtectedItem) =>
  (item.properties?.providerSpecificDetails ?? {}) as Record<string, unknown>;
type JobJson = {
  name: string;
  properties: Record<string, unknown> & {
    state: string;
    targetObjectId: string;
    tasks: { name: string; state: string }[];
    errors: { serviceErrorDetails: { code: string } }[];
  };
};
const lastJob = () => emulator.jobs()[0] as JobJson;

/** The recorded modernized failback body (modernized-failback.json step 2): no failoverDirection. */
const planned = {
  properties: {
    providerSpecificDetails: {
      instanceType: 'InMageRcmFailback' as const,
      recoveryPointType: 'ApplicationConsistent' as const,
    },
  },
};
/** The recorded modernized reprotect body (step 5), with this vault's ids. */
const rcmReprotect = (over: Record<string, unknown> = {}) => ({
  properties: {
    providerSpecificDetails: {
      instanceType: 'InMageRcmFailback' as const,
      processServerId: S.applianceProcessServer.default,
      policyId: `${VAULT_ID}/replicationPolicies/${S.policies.modernizedToAzure}`,
      runAsAccountId: S.vmwareSite.runAsAccounts.vcenter,
      ...over,
    },
  },
});

beforeAll(async () => {
  emulator = await startAsrEmulator({ taskMs: 30, blankJobMs: 100, agentRegistrationDelayMs: 1500 });
  client = emulatorClient(emulator);
});

afterAll(async () => {
  await emulator.stop();
});

describe('the provider decides the failover operation', () => {
  it('refuses an unplanned failover of an InMageRcmFailback item with 400', async () => {
    const input = {
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        sourceSiteOperations: 'Required',
        providerSpecificDetails: { instanceType: 'InMage' as const, recoveryPointType: 'LatestTime' as const },
      },
    };
    const error = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, ...parts('crm-01'), input),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('OperationNotSupportedForProvider');
    expect(error?.message).toMatch(/planned failover/i);
  });

  it('refuses a planned failover of a classic item with 400', async () => {
    const error = await errorOf(
      client.replicationProtectedItems.beginPlannedFailover(VAULT, RG, ...parts('app-01'), planned),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(/not supported .*'app-01'.*InMage/);
  });

  it('refuses a planned failover that names a direction: the recorded body has none', async () => {
    const input = { properties: { failoverDirection: 'RecoveryToPrimary', ...planned.properties } };
    const error = await errorOf(
      client.replicationProtectedItems.beginPlannedFailover(VAULT, RG, ...parts('crm-01'), input),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('InvalidParameter');
    expect(error?.message).toMatch(
      /Do not send failoverDirection for the planned failover of the virtual machine 'crm-01'/,
    );
  });

  it('refuses a recovery point type the provider does not know', async () => {
    const input = {
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback' as const,
          recoveryPointType: 'LatestTime' as never,
        },
      },
    };
    const error = await errorOf(
      client.replicationProtectedItems.beginPlannedFailover(VAULT, RG, ...parts('crm-01'), input),
    );
    expect(error?.code).toBe('InvalidParameter');
  });
});

describe('a modernized failback as recorded: planned failover, commit, wait for the agent, reprotect', () => {
  let failbackId = '';

  it('fails back crm-01 by planned failover: the job names the internalIdentifier; the item waits for commit', async () => {
    const ready = await getItem('crm-01');
    expect(ready.properties).toMatchObject({
      protectionState: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: ['PlannedFailover', 'DisableProtection'],
    });
    failbackId = String(detailsOf(ready).internalIdentifier);
    expect(failbackId).toMatch(GUID);
    expect(emulator.item('crm-01')?.jobTargetId).toBe(failbackId);

    await client.replicationProtectedItems.beginPlannedFailoverAndWait(VAULT, RG, ...parts('crm-01'), planned, poll);
    expect(lastJob().properties).toMatchObject({
      scenarioName: 'PlannedFailover',
      friendlyName: 'Planned failover',
      targetObjectId: failbackId,
      targetObjectName: 'crm-01',
      customDetails: { instanceType: 'FailoverJobDetails' },
    });
    expect(lastJob().properties.tasks.map((t) => t.name)).toEqual([
      'VmPfoPrerequisitesCheck',
      'VmPrepareForFailover',
      'VmFailover',
      'VmPrepareProtectedEntitiesTask',
      'VmFoStartVmOnSecondary',
    ]);
    const failedOver = await getItem('crm-01');
    expect(failedOver.properties).toMatchObject({
      protectionState: 'CommitPendingStatesBegin',
      protectionStateDescription: 'Planned failover finished',
      activeLocation: 'Recovery',
      allowedOperations: ['CompleteMigration', 'Commit', 'DisableProtection', 'SwitchProtection', 'CancelFailover'],
      providerSpecificDetails: {
        instanceType: 'InMageRcmFailback',
        internalIdentifier: failbackId,
        lastPlannedFailoverStatus: 'Succeeded',
        isAgentRegistrationSuccessfulAfterFailover: false,
      },
    });
  });

  it('refuses the reprotect before the commit although ASR lists SwitchProtection (emulator assumption)', async () => {
    const error = await errorOf(
      client.replicationProtectedItems.beginReprotect(VAULT, RG, ...parts('crm-01'), rcmReprotect()),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('OperationNotAllowedInCurrentState');
    expect(error?.message).toMatch(/'crm-01' has failed back but its failover is not committed yet/);
  });

  it('commits: PlannedFailoverCommitted, SwitchProtection allowed', async () => {
    await client.replicationProtectedItems.beginFailoverCommitAndWait(VAULT, RG, ...parts('crm-01'), poll);
    const committed = await getItem('crm-01');
    expect(committed.properties).toMatchObject({
      protectionState: 'PlannedFailoverCommitted',
      activeLocation: 'Recovery',
      allowedOperations: ['CompleteMigration', 'DisableProtection', 'SwitchProtection'],
    });
  });

  it.each([
    [
      'an InMageRcmFailback policy',
      'InvalidPolicy',
      rcmReprotect({ policyId: `${VAULT_ID}/replicationPolicies/${S.policies.modernizedFailback}` }),
      /needs an 'InMageRcm' policy/,
    ],
    [
      "a classic fabric's process server",
      'ProcessServerNotFound',
      rcmReprotect({ processServerId: S.processServer.default }),
      /replication appliance fabric 'avs-appliance01'.*avs-appliance01/,
    ],
    [
      'no run-as account',
      'InvalidParameter',
      rcmReprotect({ runAsAccountId: undefined }),
      /runAsAccountId is required: the ARM id of a run-as account of the Azure Migrate VMware site.*vcenter-avs/,
    ],
    [
      "the classic fabric's run-as account id",
      'RunAsAccountNotFound',
      rcmReprotect({ runAsAccountId: '1' }),
      /'1' is not a run-as account of the Azure Migrate VMware site/,
    ],
    [
      'a failoverDirection',
      'InvalidParameter',
      { properties: { failoverDirection: 'RecoveryToPrimary', ...rcmReprotect().properties } },
      /Do not send failoverDirection for the reprotect/,
    ],
  ])('refuses a reprotect with %s (400 %s)', async (_what, code, input, message) => {
    const error = await errorOf(
      client.replicationProtectedItems.beginReprotect(VAULT, RG, ...parts('crm-01'), input as never),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
  });

  it('fails the reprotect job at its prerequisites check while the agent has not registered', async () => {
    emulator.setAgentRegistered('crm-01', false);
    const error = await errorOf(
      client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, ...parts('crm-01'), rcmReprotect(), poll),
    );
    expect(error?.message).toMatch(/not registered with the replication appliance/);
    const job = lastJob();
    expect(job.properties.state).toBe('Failed');
    expect(job.properties.tasks[0]).toMatchObject({ name: 'VmReprotectPrerequisitesCheck', state: 'Failed' });
    expect(job.properties.errors[0]?.serviceErrorDetails.code).toBe('ReprotectPreconditionFailed');
    expect(emulator.item('crm-01')?.allowedOperations).toContain('SwitchProtection');
  });

  it('reprotects once the agent registered: the job carries the InMageRcmFailback id, the item gets a new InMageRcm id', async () => {
    emulator.setAgentRegistered('crm-01', true);
    await client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, ...parts('crm-01'), rcmReprotect(), poll);
    expect(lastJob().properties).toMatchObject({
      scenarioName: 'SwitchReplicationGroupProtection',
      friendlyName: 'Reprotect',
      targetObjectId: failbackId,
      customDetails: { instanceType: 'SwitchProtectionJobDetails' },
    });
    const after = await getItem('crm-01');
    expect(after.properties).toMatchObject({
      activeLocation: 'Primary',
      allowedOperations: ['TestFailover', 'UnplannedFailover', 'DisableProtection'],
    });
    const rcmId = String(detailsOf(after).internalIdentifier);
    expect(detailsOf(after).instanceType).toBe('InMageRcm');
    expect(rcmId).toMatch(GUID);
    expect(rcmId).not.toBe(failbackId);
    expect(emulator.item('crm-01')?.jobTargetId).toBe(rcmId);
  });

  it('turns isAgentRegistrationSuccessfulAfterFailover true agentRegistrationDelayMs after the planned failover ended (not the commit)', async () => {
    await client.replicationProtectedItems.beginPlannedFailoverAndWait(VAULT, RG, ...parts('crm-02'), planned, poll);
    const ended = Date.parse(String(lastJob().properties.endTime));
    expect(detailsOf(await getItem('crm-02')).isAgentRegistrationSuccessfulAfterFailover).toBe(false);
    for (;;) {
      if (detailsOf(await getItem('crm-02')).isAgentRegistrationSuccessfulAfterFailover === true) break;
      if (Date.now() - ended > 10_000) throw new Error('agent never registered');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - ended).toBeGreaterThanOrEqual(1400);
    expect(emulator.item('crm-02')?.stage).toBe('failedOver');
  });
});

describe('recovery plans', () => {
  beforeAll(() => {
    for (const vm of [...S.modernizedVms, ...S.readyVms]) emulator.setItemStage(vm, 'ready');
  });

  it('lists the plans with their groups, VM members and providers; a fresh plan has no scenario', async () => {
    const plans = [];
    for await (const p of client.replicationRecoveryPlans.list(VAULT, RG)) plans.push(p);
    const classic = plans.find((p) => p.name === S.plans.classic);
    expect(classic?.properties).toMatchObject({
      replicationProviders: ['InMage'],
      allowedOperations: ['UnplannedFailover', 'DisableProtection'],
    });
    expect(classic?.properties?.currentScenario ?? null).toBeNull();
    expect(classic?.properties?.currentScenarioStatus ?? null).toBeNull();
    const boot = classic?.properties?.groups?.find((g) => g.groupType === 'Boot');
    expect(boot?.replicationProtectedItems?.map((m) => m.id?.split('/').pop())).toEqual(
      S.readyVms.map((vm) => emulator.item(vm)?.name),
    );
    const one = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.modernized);
    expect(one.properties?.replicationProviders).toEqual(['InMageRcmFailback']);
  });

  it("lists a plan's items the PowerShell way: $filter=RecoveryPlanName eq '<plan>'", async () => {
    const names: string[] = [];
    for await (const i of client.replicationProtectedItems.list(VAULT, RG, {
      filter: `RecoveryPlanName eq '${S.plans.classic}'`,
    }))
      names.push(i.properties?.friendlyName ?? '');
    expect(names).toEqual([...S.readyVms]);
  });
});

describe('recovery plan operations', () => {
  const planFailover = (failoverDirection: string) => ({
    properties: {
      failoverDirection,
      sourceSiteOperations: 'Required' as const,
      providerSpecificDetails: [{ instanceType: 'InMage' as const, recoveryPointType: 'LatestTime' as const }],
    },
  });

  it('refuses a plan failover in another direction than RecoveryToPrimary (assumption for VMware plans)', async () => {
    const error = await errorOf(
      client.replicationRecoveryPlans.beginUnplannedFailover(
        VAULT,
        RG,
        S.plans.classic,
        planFailover('PrimaryToRecovery') as never,
      ),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(
      /failoverDirection must be 'RecoveryToPrimary' for a failover of the recovery plan 'avs-failback-plan'/,
    );
  });

  it('fails a classic plan over as one job; the 202 names an operation, its status names the job; the plan keeps the scenario', async () => {
    let operationId = '';
    let location = '';
    const statusNames = new Set<string>();
    const poller = await client.replicationRecoveryPlans.beginUnplannedFailover(
      VAULT,
      RG,
      S.plans.classic,
      planFailover('RecoveryToPrimary') as never,
      {
        ...poll,
        onResponse: (raw) => {
          if (raw.request.method === 'POST') {
            operationId =
              /replicationOperationStatus\/([^?]+)/.exec(raw.headers.get('azure-asyncoperation') ?? '')?.[1] ?? '';
            location = raw.headers.get('location') ?? '';
          }
          if (raw.request.url.includes('/replicationOperationStatus/'))
            statusNames.add(String((raw.parsedBody as { name?: string } | undefined)?.name));
        },
      },
    );
    const jobName = emulator.item('app-01')?.currentScenario.jobName ?? '';
    expect(operationId).toMatch(GUID);
    expect(operationId).not.toBe(jobName);
    expect(location).toContain(
      `${VAULT_ID}/replicationRecoveryPlans/${S.plans.classic}/operationresults/${operationId}?`,
    );
    expect(S.readyVms.map((vm) => emulator.item(vm)?.currentScenario.jobName)).toEqual(S.readyVms.map(() => jobName));
    const running = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.classic);
    expect(running.properties).toMatchObject({
      currentScenario: { scenarioName: 'UnplannedFailover', jobId: `${VAULT_ID}/replicationJobs/${jobName}` },
      currentScenarioStatus: 'InProgress',
    });
    await poller.pollUntilDone();
    expect([...statusNames]).toEqual([jobName]);

    const job = await client.replicationJobs.get(VAULT, RG, jobName);
    expect(job.properties).toMatchObject({
      scenarioName: 'UnplannedFailover',
      targetInstanceType: 'RecoveryPlan',
      targetObjectName: S.plans.classic,
    });
    expect(job.properties?.targetObjectId).toMatch(GUID);
    // Per-VM tasks sit inside the plan's group tasks, as ASR lists them.
    const groups = (job.properties?.tasks ?? []).filter((t) => t.groupTaskCustomDetails);
    expect(groups.map((g) => g.groupTaskCustomDetails?.instanceType)).toEqual([
      'RecoveryPlanShutdownGroupTaskDetails',
      'RecoveryPlanGroupTaskDetails',
    ]);
    expect(
      groups[0]?.groupTaskCustomDetails?.childTasks?.filter((t) => t.name === 'VmShutdownVmOnPrimary'),
    ).toHaveLength(3);
    expect(groups[1]?.groupTaskCustomDetails?.childTasks?.map((t) => t.friendlyName)).toEqual(
      S.readyVms.map((n) => expect.stringContaining(n)),
    );

    const plan = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.classic);
    expect(plan.properties).toMatchObject({
      currentScenario: { scenarioName: 'UnplannedFailover', jobId: `${VAULT_ID}/replicationJobs/${jobName}` },
      currentScenarioStatus: 'Succeeded',
      currentScenarioStatusDescription: 'Completed',
    });
    expect(plan.properties?.allowedOperations).toContain('Commit');
    expect(emulator.plan(S.plans.classic)?.currentScenario).toEqual({
      scenarioName: 'UnplannedFailover',
      jobName,
      status: 'Succeeded',
    });
  });

  it('commits the plan; it then shows CommitFailover, Succeeded', async () => {
    await client.replicationRecoveryPlans.beginFailoverCommitAndWait(VAULT, RG, S.plans.classic, poll);
    expect(S.readyVms.map((vm) => emulator.item(vm)?.allowedOperations)).toEqual(
      S.readyVms.map(() => ['CompleteMigration', 'DisableProtection', 'SwitchProtection']),
    );
    const plan = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.classic);
    expect(plan.properties).toMatchObject({
      currentScenario: { scenarioName: 'CommitFailover' },
      currentScenarioStatus: 'Succeeded',
      currentScenarioStatusDescription: 'Completed',
    });
    expect(plan.properties?.allowedOperations).not.toContain('Commit');
  });

  it('fails a modernized plan back by planned failover (RecoveryToPrimary at plan level, none per member)', async () => {
    const input = {
      properties: {
        failoverDirection: 'RecoveryToPrimary' as const,
        providerSpecificDetails: [
          { instanceType: 'InMageRcmFailback' as const, recoveryPointType: 'CrashConsistent' as const },
        ],
      },
    };
    await client.replicationRecoveryPlans.beginPlannedFailoverAndWait(
      VAULT,
      RG,
      S.plans.modernized,
      input as never,
      poll,
    );
    expect(S.modernizedVms.map((vm) => emulator.item(vm)?.stage)).toEqual(['failedOver', 'failedOver']);
    const plan = await client.replicationRecoveryPlans.get(VAULT, RG, S.plans.modernized);
    expect(plan.properties).toMatchObject({
      currentScenario: { scenarioName: 'PlannedFailover' },
      currentScenarioStatus: 'Succeeded',
    });
  });

  it('refuses a plan-level reprotect: reprotect VM by VM', async () => {
    const input = { properties: { failoverDirection: 'RecoveryToPrimary' as const } };
    const error = await errorOf(
      client.replicationRecoveryPlans.beginReprotect(VAULT, RG, S.plans.classic, input as never),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.message).toMatch(/Reprotect each virtual machine/);
  });
});
