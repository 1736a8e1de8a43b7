/**
 * The emulator against the facts of recorded real traffic (test/contract/recorded): blank first
 * job reads, PowerShell's job filter, operation status bodies, container mappings, Azure Migrate
 * run-as accounts, acting in the portal with the recorded bodies, and the switches for what was
 * never recorded (an item's scenario name while its job runs).
 */
import { type SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import { type AsrEmulator, DEFAULT_SCENARIO, STAGES, startAsrEmulator } from '../src';
import { emulatorClient } from './support/emulator-client';
import { rawArm } from './support/raw-arm';

jest.setTimeout(60_000);

const S = DEFAULT_SCENARIO;
const RG = S.resourceGroup;
const VAULT = S.vault;
const VAULT_PATH = `/subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}`;
const Q = '?api-version=2023-06-01';

let emulator: AsrEmulator;
let client: SiteRecoveryManagementClient;
/** The emulator's clock: frozen, moved by the tests. */
let clock = Date.parse('2021-04-04T05:00:00.000Z');

const arm = (pathAndQuery: string, withToken = true) => rawArm(emulator, pathAndQuery, withToken);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (probe()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const jobState = (name: string) => (emulator.job(name)?.properties as { state?: string } | undefined)?.state;
const settled = (name: string) =>
  until(() => jobState(name) === 'Succeeded' || jobState(name) === 'Failed', `job ${name} to end`);

beforeAll(async () => {
  emulator = await startAsrEmulator({ taskMs: 20, pageSize: 2, extraVms: 3, now: () => clock });
  client = emulatorClient(emulator);
});

afterAll(async () => {
  await emulator.stop();
});

describe('the state table', () => {
  it('says for every row whether it is recorded or assumed', () => {
    for (const generation of Object.values(STAGES))
      for (const row of Object.values(generation)) expect(row.source).toMatch(/^(recorded|assumption)/);
  });
});

describe('jobs as recorded', () => {
  it('answers a job read right after its POST blank (NotStarted, nulls, no tasks) for blankJobMs, then the real job', async () => {
    const job = emulator.startInPortal('app-01', 'unplannedFailover');
    const first = await arm(`${VAULT_PATH}/replicationJobs/${job}${Q}`);
    expect(first.status).toBe(200);
    expect(first.body.properties).toMatchObject({
      scenarioName: null,
      friendlyName: null,
      targetObjectId: null,
      targetObjectName: null,
      state: 'NotStarted',
      stateDescription: 'NotStarted',
      tasks: [],
    });
    const listed = await arm(`${VAULT_PATH}/replicationJobs${Q}`);
    expect(listed.body.value?.find((j) => j.name === job)?.properties).toMatchObject({
      scenarioName: null,
      targetObjectId: null,
      state: 'NotStarted',
    });
    const status = await arm(`${VAULT_PATH}/replicationOperationStatus/${job}${Q}`);
    expect(status.body).toEqual({
      id: `/Subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationOperationStatus/${job}`,
      name: job,
      status: 'InProgress',
      startTime: new Date(clock).toISOString(),
      endTime: null,
      error: null,
    });
    const sdk = await client.replicationJobs.get(VAULT, RG, job);
    expect(sdk.properties?.scenarioName ?? null).toBeNull();

    await settled(job);
    const later = await arm(`${VAULT_PATH}/replicationJobs/${job}${Q}`);
    expect(later.body.properties).toMatchObject({
      scenarioName: 'UnplannedFailover',
      friendlyName: 'Failover',
      targetObjectId: emulator.item('app-01')?.jobTargetId,
      targetObjectName: 'app-01',
      state: 'Succeeded',
    });
    expect(emulator.item('app-01')?.stage).toBe('failedOver');
  });

  it('serves jobs at once when blankJobMs is set to 0 (a live setting)', async () => {
    emulator.settings.blankJobMs = 0;
    try {
      const job = emulator.startInPortal('app-01', 'failoverCommit');
      expect((await arm(`${VAULT_PATH}/replicationJobs/${job}${Q}`)).body.properties).toMatchObject({
        scenarioName: 'CommitFailover',
        state: 'InProgress',
      });
      await settled(job);
    } finally {
      emulator.settings.blankJobMs = 300;
    }
  });

  it("filters the job list PowerShell's way: StartTime / EndTime eq '<ISO with 7 fractional digits>', JobStatus", async () => {
    const at = (iso: string) => (clock = Date.parse(iso));
    at('2021-04-04T05:28:32.132Z');
    const early = emulator.startInPortal('db-01', 'unplannedFailover');
    at('2021-04-05T10:00:00.000Z');
    const inside = emulator.startInPortal('web-01', 'unplannedFailover');
    at('2021-04-08T10:00:00.000Z');
    const late = emulator.startInPortal('vm-001', 'unplannedFailover');
    for (const j of [early, inside, late]) await settled(j);
    const names = async (filter: string) => {
      const out: string[] = [];
      for await (const j of client.replicationJobs.list(VAULT, RG, { filter })) out.push(j.name ?? '');
      return out;
    };
    expect(
      await names("StartTime eq '2021-04-04T05:28:32.1338170Z' and EndTime eq '2021-04-07T05:28:32.1391983Z'"),
    ).toEqual([inside]);
    expect(await names("startTime eq '2021-04-05T00:00:00.0000000Z'")).toEqual([late, inside]);
    expect(await names("StartTime eq '2021-04-04T00:00:00Z' and JobStatus eq 'Succeeded'")).toEqual(
      expect.arrayContaining([early, inside, late]),
    );
    expect(await names("JobStatus eq 'Failed'")).toEqual([]);
    const list = await arm(
      `${VAULT_PATH}/replicationJobs${Q}&$filter=${encodeURIComponent("StartTime eq '2021-04-05T00:00:00Z'")}`,
    );
    expect(
      list.body.value?.every((j) => {
        const tasks = (j.properties as { tasks?: unknown[] } | undefined)?.tasks;
        return Array.isArray(tasks) && tasks.length === 0;
      }),
    ).toBe(true);
    expect(list.body.nextLink).toBeUndefined();
    expect(
      (await arm(`${VAULT_PATH}/replicationJobs${Q}&$filter=${encodeURIComponent("StartTime eq 'yesterday'")}`)).status,
    ).toBe(400);
    expect(
      (await arm(`${VAULT_PATH}/replicationJobs${Q}&$filter=${encodeURIComponent('StartTime gt 2021')}`)).body,
    ).toMatchObject({ error: { code: 'InvalidParameter', message: expect.stringContaining('StartTime eq') } });
  });
});

describe('what an item shows while its job runs (not recorded)', () => {
  it("shows the job's scenarioName by default and 'InProgressOperation' with itemScenarioNames 'opaque'", async () => {
    emulator.faults.add({ kind: 'job-suspends', operation: 'unplannedFailover', item: 'vm-002' });
    const job = emulator.startInPortal('vm-002', 'unplannedFailover');
    const itemPath = `${emulator.item('vm-002')?.id}${Q}`;
    const scenario = async () =>
      (await arm(itemPath)).body.properties?.currentScenario as { scenarioName: string; jobId: string };
    expect(await scenario()).toMatchObject({
      scenarioName: 'UnplannedFailover',
      jobId: expect.stringMatching(new RegExp(`/replicationJobs/${job}$`)),
    });
    emulator.settings.itemScenarioNames = 'opaque';
    try {
      expect(await scenario()).toMatchObject({
        scenarioName: 'InProgressOperation',
        jobId: expect.stringMatching(new RegExp(`/replicationJobs/${job}$`)),
      });
    } finally {
      emulator.settings.itemScenarioNames = 'job';
    }
    await until(() => jobState(job) === 'Suspended', 'the suspension');
    emulator.resumeJob(job);
    await settled(job);
    expect(await scenario()).toEqual({
      scenarioName: 'None',
      jobId: `/Subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationJobs/None`,
      startTime: '1753-01-01T01:01:01Z',
    });
  });
});

describe('container mappings', () => {
  it('maps the classic container to Azure with avs-to-azure (not the legacy policy listed first)', async () => {
    const mappings = [];
    for await (const m of client.replicationProtectionContainerMappings.listByReplicationProtectionContainers(
      VAULT,
      RG,
      S.classicFabric,
      S.classicContainer,
    ))
      mappings.push(m);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]).toMatchObject({
      name: S.mappings.classic,
      type: 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectionContainerMappings',
      properties: {
        targetProtectionContainerId: expect.stringMatching(
          new RegExp(`/replicationFabrics/${S.azureFabric}/replicationProtectionContainers/${S.azureContainer}$`),
        ),
        targetProtectionContainerFriendlyName: 'Microsoft Azure',
        policyId: expect.stringMatching(new RegExp(`/replicationPolicies/${S.policies.classicToAzure}$`)),
        policyFriendlyName: S.policies.classicToAzure,
        state: 'Paired',
        health: 'Normal',
        sourceFabricFriendlyName: 'avs-cs01',
        targetFabricFriendlyName: 'Microsoft Azure',
        sourceProtectionContainerFriendlyName: 'avs-cs01',
        providerSpecificDetails: { instanceType: 'InMageAzureV2' },
      },
    });
    const one = await client.replicationProtectionContainerMappings.get(
      VAULT,
      RG,
      S.modernizedFabric,
      S.modernizedContainer,
      S.mappings.modernized,
    );
    expect(one.properties).toMatchObject({
      policyFriendlyName: S.policies.modernizedToAzure,
      providerSpecificDetails: { instanceType: 'InMageRcm' },
    });
    expect(
      (
        await arm(
          `${VAULT_PATH}/replicationFabrics/${S.classicFabric}/replicationProtectionContainers/${S.classicContainer}/replicationProtectionContainerMappings/nope${Q}`,
        )
      ).status,
    ).toBe(404);
  });
});

describe('Azure Migrate run-as accounts (Microsoft.OffAzure, outside the vault)', () => {
  const site = S.vmwareSite.id;

  it("is where the appliance fabric's vmwareSiteId points: another resource group of the subscription", async () => {
    const fabric = await client.replicationFabrics.get(VAULT, RG, S.modernizedFabric);
    expect((fabric.properties?.customDetails as { vmwareSiteId?: string }).vmwareSiteId).toBe(site);
    expect(site).toMatch(
      new RegExp(
        `^/subscriptions/${S.subscriptionId}/resourceGroups/${S.migrateResourceGroup}/providers/Microsoft.OffAzure/VMwareSites/`,
      ),
    );
  });

  it('needs a bearer token and an api-version', async () => {
    expect(await arm(`${site}/runAsAccounts${Q}`, false)).toMatchObject({
      status: 401,
      body: { error: { code: 'AuthenticationFailed' } },
    });
    expect(await arm(`${site}/runAsAccounts`)).toMatchObject({
      status: 400,
      body: { error: { code: 'MissingApiVersionParameter' } },
    });
  });

  it('lists the accounts, paged, with the path matched case-insensitively; gets one', async () => {
    const first = await arm(`${site.replace('VMwareSites', 'vmwaresites')}/runasaccounts${Q}`);
    expect(first.status).toBe(200);
    expect(new URL(first.body.nextLink ?? '').searchParams.get('$skiptoken')).toBe('2');
    const second = await arm(first.body.nextLink ?? '');
    const all = [...(first.body.value ?? []), ...(second.body.value ?? [])];
    expect(
      all.map((a) => [
        a.id,
        (a.properties as { displayName: string }).displayName,
        (a.properties as { credentialType: string }).credentialType,
      ]),
    ).toEqual([
      [S.vmwareSite.runAsAccounts.vcenter, 'vcenter-avs', 'VMwareFabric'],
      [S.vmwareSite.runAsAccounts.windowsGuest, 'windows-guest', 'WindowsGuest'],
      [S.vmwareSite.runAsAccounts.linuxGuest, 'linux-guest', 'LinuxGuest'],
    ]);
    expect(all[0]).toMatchObject({
      type: 'Microsoft.OffAzure/VMwareSites/RunAsAccounts',
      properties: { createdTimestamp: expect.any(String), updatedTimestamp: expect.any(String) },
    });
    const name = S.vmwareSite.runAsAccounts.linuxGuest.split('/').pop();
    expect((await arm(`${site}/runAsAccounts/${name}${Q}`)).body).toMatchObject({
      name,
      properties: { displayName: 'linux-guest' },
    });
    expect((await arm(`${site}-other/runAsAccounts${Q}`)).status).toBe(404);
  });
});

describe('acting in the portal with the recorded bodies', () => {
  it('refuses like a POST would', () => {
    expect(() => emulator.startInPortal(S.noPointsVm, 'unplannedFailover')).toThrow(/NoRecoveryPointAvailable/);
    expect(() => emulator.startInPortal('vm-003', 'reprotect')).toThrow(/OperationNotAllowedInCurrentState/);
  });

  it('fails back, commits and reprotects a classic VM with the default bodies (direction from the active side, run-as account, mapped policy)', async () => {
    const before = emulator.operationPosts().length;
    for (const kind of ['unplannedFailover', 'failoverCommit', 'reprotect'] as const)
      await settled(emulator.startInPortal('vm-003', kind));
    expect(emulator.item('vm-003')).toMatchObject({ stage: 'replicatingToAzure', provider: 'InMageAzureV2' });
    expect((emulator.item('vm-003')?.arm.properties as { policyId: string }).policyId).toMatch(
      new RegExp(`/replicationPolicies/${S.policies.classicToAzure}$`),
    );
    expect(emulator.operationPosts()).toHaveLength(before);
  });

  it('fails back, commits and reprotects a modernized VM with the default bodies', async () => {
    await settled(emulator.startInPortal('crm-02', 'plannedFailover'));
    await settled(emulator.startInPortal('crm-02', 'failoverCommit'));
    emulator.setAgentRegistered('crm-02', true);
    const oldId = emulator.item('crm-02')?.jobTargetId;
    const job = emulator.startInPortal('crm-02', 'reprotect');
    await settled(job);
    expect(emulator.item('crm-02')).toMatchObject({ stage: 'replicatingToAzure', provider: 'InMageRcm' });
    expect((emulator.job(job)?.properties as { targetObjectId: string }).targetObjectId).toBe(oldId);
    expect(emulator.item('crm-02')?.jobTargetId).not.toBe(oldId);
  });
});
