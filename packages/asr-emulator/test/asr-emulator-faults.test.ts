import { type SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { RestError } from '@azure/core-rest-pipeline';
import { type AsrEmulator, DEFAULT_SCENARIO, startAsrEmulator } from '../src';
import { emulatorClient } from './support/emulator-client';

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

type JobJson = {
  name: string;
  properties: {
    state: string;
    stateDescription: string;
    tasks: { name: string; state: string; errors: unknown[] }[];
    errors: { errorLevel: string; serviceErrorDetails: { code: string; message: string } }[];
  };
};
const errorOf = <T>(p: Promise<T>): Promise<RestError | undefined> =>
  p.then(
    () => undefined,
    (e: RestError) => e,
  );
const poll = { updateIntervalInMs: 100 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The recorded classic failback body (direction from the active side: Primary → Recovery), asking ASR to shut the Azure VM down. */
const failover = (recoveryPointType: 'LatestTime' | 'LatestTag' | 'Custom', recoveryPointId?: string) => ({
  properties: {
    failoverDirection: 'PrimaryToRecovery',
    sourceSiteOperations: 'Required',
    providerSpecificDetails: {
      instanceType: 'InMage' as const,
      recoveryPointType,
      ...(recoveryPointId ? { recoveryPointId } : {}),
    },
  },
});
const classicReprotect = {
  properties: {
    failoverDirection: 'RecoveryToPrimary',
    providerSpecificDetails: {
      instanceType: 'InMageAzureV2' as const,
      processServerId: S.processServer.default,
      masterTargetId: S.masterTarget,
      runAsAccountId: S.runAsAccount,
      policyId: `${VAULT_ID}/replicationPolicies/${S.policies.classicToAzure}`,
    },
  },
};
const lastJobOf = (vm: string) =>
  emulator.jobs().find((j) => (j.properties as { targetObjectName?: string }).targetObjectName === vm) as
    JobJson | undefined;

beforeAll(async () => {
  emulator = await startAsrEmulator({ taskMs: 20, blankJobMs: 0, extraVms: 2 });
  client = emulatorClient(emulator);
});

afterAll(async () => {
  await emulator.stop();
});

describe('unplanned failover input validation', () => {
  const base = failover('LatestTime').properties;
  it.each([
    ['a Custom point without recoveryPointId', failover('Custom'), /recoveryPointId is required/],
    ['a Custom point that is not one of the item', failover('Custom', 'no-such-point'), /does not exist/],
    ['a recoveryPointId with LatestTime', failover('LatestTime', 'x'), /only allowed/],
    [
      'the direction RecoveryToPrimary (the item is active in Primary)',
      { properties: { ...base, failoverDirection: 'RecoveryToPrimary' } },
      /failoverDirection must be 'PrimaryToRecovery'/,
    ],
    [
      'no direction',
      { properties: { ...base, failoverDirection: undefined } },
      /failoverDirection must be 'PrimaryToRecovery'.*Got nothing/,
    ],
    [
      'an unknown sourceSiteOperations',
      { properties: { ...base, sourceSiteOperations: 'Sometimes' } },
      /sourceSiteOperations must be 'Required' .* or 'NotRequired'/,
    ],
    [
      'no sourceSiteOperations',
      { properties: { ...base, sourceSiteOperations: undefined } },
      /sourceSiteOperations must be/,
    ],
  ])('refuses %s with 400 InvalidParameter', async (_name, input, message) => {
    const [f, c, n] = parts('app-01');
    const error = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, f, c, n, input as never),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('InvalidParameter');
    expect(error?.message).toMatch(message);
  });

  it('refuses a VM without recovery points, and one replicating to Azure although it lists UnplannedFailover', async () => {
    const [f, c, n] = parts(S.noPointsVm);
    expect(
      (
        await errorOf(
          client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, f, c, n, failover('LatestTime')),
        )
      )?.code,
    ).toBe('NoRecoveryPointAvailable');
    expect(emulator.item(S.notReadyVm)).toMatchObject({
      provider: 'InMageAzureV2',
      allowedOperations: ['TestFailover', 'UnplannedFailover', 'DisableProtection'],
    });
    const [f2, c2, n2] = parts(S.notReadyVm);
    const notReady = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, f2, c2, n2, failover('LatestTime')),
    );
    expect(notReady?.code).toBe('OperationNotSupportedForProvider');
    expect(notReady?.message).toMatch(/'file-01' replicated by provider 'InMageAzureV2'.*replicates to Azure/);
  });

  it('fails over to a chosen (Custom) point and records it as the failover point', async () => {
    const [f, c, n] = parts('web-01');
    const points = [];
    for await (const p of client.recoveryPoints.listByReplicationProtectedItems(VAULT, RG, f, c, n)) points.push(p);
    const chosen = points.find((p) => p.properties?.recoveryPointType === 'ApplicationConsistent');
    await client.replicationProtectedItems.beginUnplannedFailoverAndWait(
      VAULT,
      RG,
      f,
      c,
      n,
      failover('Custom', chosen?.id),
      poll,
    );
    const item = await client.replicationProtectedItems.get(VAULT, RG, f, c, n);
    expect(item.properties?.failoverRecoveryPointId).toBe(chosen?.id);
    const job = lastJobOf('web-01') as unknown as {
      properties: { customDetails: { protectedItemDetails: { recoveryPointId: string }[] } };
    };
    expect(job.properties.customDetails.protectedItemDetails[0]?.recoveryPointId).toBe(chosen?.id);
  });
});

describe('job faults', () => {
  it('fails the failover job with a task error; the item returns to its previous state', async () => {
    emulator.faults.add({
      kind: 'job-fails',
      operation: 'unplannedFailover',
      item: 'db-01',
      task: 'VmPrepareForUnPlannedFailover',
      code: '70094',
      message: 'Data synchronization failed.',
    });
    const [f, c, n] = parts('db-01');
    const error = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailoverAndWait(VAULT, RG, f, c, n, failover('LatestTime'), poll),
    );
    expect(error?.message).toContain('Data synchronization failed.');
    const job = lastJobOf('db-01');
    expect(job?.properties.state).toBe('Failed');
    expect(job?.properties.tasks.map((t) => t.state)).toEqual([
      'Succeeded',
      'Succeeded',
      'Failed',
      'NotStarted',
      'NotStarted',
    ]);
    expect(job?.properties.errors[0]?.serviceErrorDetails).toMatchObject({
      code: '70094',
      message: 'Data synchronization failed.',
    });
    expect(emulator.item('db-01')).toMatchObject({
      stage: 'ready',
      currentScenario: { scenarioName: 'None' },
      allowedOperations: expect.arrayContaining(['UnplannedFailover']),
    });
  });

  it('lets the failover succeed "with information" when only the Azure VM shutdown fails', async () => {
    emulator.faults.add({ kind: 'shutdown-task-fails', item: 'db-01' });
    const [f, c, n] = parts('db-01');
    await client.replicationProtectedItems.beginUnplannedFailoverAndWait(
      VAULT,
      RG,
      f,
      c,
      n,
      failover('LatestTag'),
      poll,
    );
    const job = lastJobOf('db-01');
    expect(job?.properties).toMatchObject({ state: 'Succeeded', stateDescription: 'CompletedWithInformation' });
    const shutdown = job?.properties.tasks.find((t) => t.name === 'VmShutdownVmOnPrimary') as
      { state: string; friendlyName?: string } | undefined;
    expect(shutdown?.state).toBe('Failed');
    expect(shutdown?.friendlyName).toMatch(/Shut down/);
    expect(job?.properties.errors[0]).toMatchObject({
      errorLevel: 'Warning',
      serviceErrorDetails: { code: 'AzureVmShutdownFailed' },
    });
    expect(emulator.item('db-01')?.allowedOperations).toContain('Commit');
  });

  it('suspends a job at a task until resumeJob; the item keeps its running scenario and refuses another operation with 409', async () => {
    emulator.faults.add({ kind: 'job-suspends', operation: 'unplannedFailover', item: 'vm-001', task: 'VmFailover' });
    const [f, c, n] = parts('vm-001');
    const poller = await client.replicationProtectedItems.beginUnplannedFailover(
      VAULT,
      RG,
      f,
      c,
      n,
      failover('LatestTime'),
      poll,
    );
    const jobName = emulator.item('vm-001')?.currentScenario.jobName ?? '';
    for (let i = 0; i < 200 && (emulator.job(jobName) as JobJson | undefined)?.properties.state !== 'Suspended'; i++)
      await sleep(20);
    const job = await client.replicationJobs.get(VAULT, RG, jobName);
    expect(job.properties).toMatchObject({ state: 'Suspended', stateDescription: 'Suspended' });
    expect(job.properties?.tasks?.map((t) => `${t.name}:${t.state}`)).toEqual([
      'VmUfoPrerequisitesCheck:Succeeded',
      'VmShutdownVmOnPrimary:Succeeded',
      'VmPrepareForUnPlannedFailover:Succeeded',
      'VmFailover:Suspended',
      'VmFoStartVmOnSecondary:NotStarted',
    ]);
    await sleep(100);
    expect(emulator.item('vm-001')).toMatchObject({
      stage: 'ready',
      allowedOperations: [],
      currentScenario: { scenarioName: 'UnplannedFailover', jobName },
    });
    expect(poller.isDone()).toBe(false);
    const again = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, f, c, n, failover('LatestTime')),
    );
    expect(again?.statusCode).toBe(409);
    expect(again?.code).toBe('OperationInProgress');

    emulator.resumeJob(jobName);
    expect(() => emulator.resumeJob(jobName)).toThrow(/not suspended/);
    await poller.pollUntilDone();
    expect((emulator.job(jobName) as JobJson).properties.state).toBe('Succeeded');
    expect(emulator.item('vm-001')?.stage).toBe('failedOver');
  });
});

describe('the classic agent-not-registered window', () => {
  it('refuses the reprotect POST while the window lasts, then accepts it', async () => {
    emulator.setItemStage('db-01', 'committed'); // committed "in the portal"
    emulator.faults.add({ kind: 'agent-not-registered', as: 'refuse', item: 'db-01', times: 2 });
    const [f, c, n] = parts('db-01');
    for (let i = 0; i < 2; i++) {
      const error = await errorOf(
        client.replicationProtectedItems.beginReprotect(VAULT, RG, f, c, n, classicReprotect),
      );
      expect(error?.statusCode).toBe(400);
      expect(error?.code).toBe('ReprotectPreconditionFailed');
      expect(error?.message).toMatch(/Mobility service \(agent\) is not installed or not registered/);
    }
    await client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, f, c, n, classicReprotect, poll);
    expect(emulator.item('db-01')?.provider).toBe('InMageAzureV2');
    expect(emulator.operationPosts('reprotect')).toHaveLength(3);
  });

  it('or fails the reprotect job at its prerequisites check, as chosen', async () => {
    emulator.setItemStage('web-01', 'committed');
    emulator.faults.add({ kind: 'agent-not-registered', as: 'job', item: 'web-01' });
    const [f, c, n] = parts('web-01');
    const error = await errorOf(
      client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, f, c, n, classicReprotect, poll),
    );
    expect(error?.message).toMatch(/not registered with the configuration server/);
    const job = lastJobOf('web-01');
    expect(job?.properties.errors[0]?.serviceErrorDetails.code).toBe('ReprotectPreconditionFailed');
    expect(job?.properties.tasks.map((t) => `${t.name}:${t.state}`)).toEqual([
      'VmReprotectPrerequisitesCheck:Failed',
      'VmSwitchProtection:NotStarted',
      'VmStartInitialReplication:NotStarted',
    ]);
    expect(emulator.item('web-01')?.allowedOperations).toContain('SwitchProtection');
  });
});

describe('slowed and throttled', () => {
  it('still lists everything when every 3rd read is throttled and reads are slow', async () => {
    emulator.settings.throttle = { readEvery: 3, retryAfterSeconds: 1 };
    emulator.settings.latencyMs = 30;
    emulator.settings.pageSize = 2;
    try {
      const names: string[] = [];
      for await (const item of client.replicationProtectedItems.list(VAULT, RG))
        names.push(item.properties?.friendlyName ?? '');
      expect(names).toHaveLength(9);
      expect(emulator.requests.all().some((r) => r.status === 429)).toBe(true);
    } finally {
      emulator.settings.throttle = undefined;
      emulator.settings.latencyMs = 0;
      emulator.settings.pageSize = 50;
    }
  });

  it('retries a read answered 503', async () => {
    emulator.faults.add({
      kind: 'status',
      match: { method: 'GET', path: 'replicationFabrics' },
      status: 503,
      retryAfterSeconds: 1,
    });
    const fabric = await client.replicationFabrics.get(VAULT, RG, S.classicFabric);
    expect(fabric.properties?.customDetails).toMatchObject({ instanceType: 'VMware' });
  });
});
