import type { SiteRecoveryManagementClient } from '@azure/arm-recoveryservices-siterecovery';
import type { RestError } from '@azure/core-rest-pipeline';
import {
  type AsrEmulator,
  DEFAULT_SCENARIO,
  defaultVault,
  IDENTITY,
  SECOND_SCENARIO,
  secondVault,
  startAsrEmulator,
  type VaultSeed,
} from '../src';
import { emulatorClient } from './support/emulator-client';
import { rawArm } from './support/raw-arm';

jest.setTimeout(60_000);

const S = DEFAULT_SCENARIO;
const NE = SECOND_SCENARIO;
/** ASR's own ids inside the second vault (recorded casing: `/Subscriptions/`). */
const NE_ASR_ID = `/Subscriptions/${NE.subscriptionId}/resourceGroups/${NE.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${NE.vault}`;
/** A third, empty vault in the second subscription: the subscription's vault list then has two. */
const SPARE: VaultSeed = {
  subscriptionId: NE.subscriptionId,
  resourceGroup: 'avs-dr-ne-spare',
  name: 'avs-dr-vault-ne-spare',
  location: 'northeurope',
  fabrics: [],
  policies: [],
  items: [],
  plans: [],
};
const poll = { updateIntervalInMs: 50 };

let emulator: AsrEmulator;
/** Clients of the two subscriptions. */
let westClient: SiteRecoveryManagementClient;
let northClient: SiteRecoveryManagementClient;

const arm = (path: string) => rawArm(emulator, path);

const errorOf = <T>(p: Promise<T>): Promise<RestError | undefined> =>
  p.then(
    () => undefined,
    (e: RestError) => e,
  );

function parts(name: string): [string, string, string] {
  const snap = emulator.item(name);
  if (!snap) throw new Error(`no item ${name}`);
  return [snap.fabric, snap.container, snap.name];
}

async function friendlyNames(client: SiteRecoveryManagementClient, vault: string, rg: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of client.replicationProtectedItems.list(vault, rg))
    names.push(item.properties?.friendlyName ?? '');
  return names.sort();
}

async function jobNames(client: SiteRecoveryManagementClient, vault: string, rg: string): Promise<string[]> {
  const names: string[] = [];
  for await (const job of client.replicationJobs.list(vault, rg)) names.push(job.name ?? '');
  return names;
}

const jobState = (name: string) => (emulator.job(name)?.properties as { state?: string } | undefined)?.state;

beforeAll(async () => {
  const now = Date.now();
  emulator = await startAsrEmulator({
    vaults: [defaultVault(now), secondVault(now), SPARE],
    taskMs: 20,
    blankJobMs: 0,
    agentRegistrationDelayMs: 0,
  });
  westClient = emulatorClient(emulator);
  northClient = emulatorClient(emulator, { subscriptionId: NE.subscriptionId });
});

afterAll(async () => {
  await emulator.stop();
});

describe('when the emulator serves vaults in two subscriptions', () => {
  it('names every vault, the default one first', () => {
    expect(emulator.vault).toMatchObject({
      subscriptionId: S.subscriptionId,
      resourceGroup: S.resourceGroup,
      name: S.vault,
    });
    expect(emulator.vaults).toEqual([
      {
        subscriptionId: S.subscriptionId,
        resourceGroup: S.resourceGroup,
        name: S.vault,
        location: 'westeurope',
        id: S.vaultId,
      },
      {
        subscriptionId: NE.subscriptionId,
        resourceGroup: NE.resourceGroup,
        name: NE.vault,
        location: 'northeurope',
        id: NE.vaultId,
      },
      expect.objectContaining({ name: SPARE.name, location: 'northeurope' }),
    ]);
  });

  it("serves each vault's own items to a client of its subscription", async () => {
    expect(await friendlyNames(northClient, NE.vault, NE.resourceGroup)).toEqual([
      'ne-app-01',
      'ne-crm-01',
      'ne-db-01',
    ]);
    const west = await friendlyNames(westClient, S.vault, S.resourceGroup);
    expect(west).toEqual(expect.arrayContaining(['app-01', 'crm-01', 'file-01']));
    expect(west.filter((n) => n.startsWith('ne-'))).toEqual([]);
    expect(emulator.item('ne-app-01')).toMatchObject({ vault: NE.vault, fabric: NE.classicFabric, stage: 'ready' });
    expect(emulator.item('app-01')?.vault).toBe(S.vault);
    expect(emulator.items().filter((i) => i.vault === NE.vault)).toHaveLength(3);
  });

  it("serves the second vault's plan, fabrics and Azure Migrate site", async () => {
    expect(emulator.plan(NE.plans.classic)).toMatchObject({ vault: NE.vault, members: ['ne-app-01', 'ne-db-01'] });
    const plan = await northClient.replicationRecoveryPlans.get(NE.vault, NE.resourceGroup, NE.plans.classic);
    expect(plan.id).toBe(`${NE_ASR_ID}/replicationRecoveryPlans/${NE.plans.classic}`);
    const fabrics: string[] = [];
    for await (const f of northClient.replicationFabrics.list(NE.vault, NE.resourceGroup)) fabrics.push(f.name ?? '');
    expect(fabrics).toEqual([NE.classicFabric, NE.azureFabric, NE.modernizedFabric]);
    const site = await arm(`${NE.vmwareSite.id}/runAsAccounts?api-version=2023-06-06`);
    expect(site.status).toBe(200);
    expect(site.body.value?.map((a) => a.id)).toContain(NE.vmwareSite.runAsAccounts.vcenter);
  });

  it('answers ARM 404s for a subscription, resource group or vault it does not serve', async () => {
    const vaultPath = (sub: string, rg: string, vault: string) =>
      `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.RecoveryServices/vaults/${vault}/replicationFabrics?api-version=2023-06-01`;
    const codeOf = async (path: string) => {
      const { status, body } = await arm(path);
      return `${status} ${(body.error as { code: string }).code}`;
    };
    expect(await codeOf(vaultPath('22222222-2222-2222-2222-222222222222', NE.resourceGroup, NE.vault))).toBe(
      '404 SubscriptionNotFound',
    );
    // The second vault's resource group does not exist in the default vault's subscription.
    expect(await codeOf(vaultPath(S.subscriptionId, NE.resourceGroup, NE.vault))).toBe('404 ResourceGroupNotFound');
    expect(await codeOf(vaultPath(NE.subscriptionId, NE.resourceGroup, S.vault))).toBe('404 ResourceNotFound');
    // Names match case-insensitively, as in ARM.
    expect((await arm(vaultPath(NE.subscriptionId, 'AVS-DR-NE', 'AVS-DR-VAULT-NE'))).status).toBe(200);
  });

  it('runs a failback in one vault without touching the other, with job names of its own', async () => {
    const postsBefore = emulator.operationPosts().length;
    const westJob = emulator.startInPortal('app-01', 'unplannedFailover');
    await northClient.replicationProtectedItems.beginUnplannedFailoverAndWait(
      NE.vault,
      NE.resourceGroup,
      ...parts('ne-app-01'),
      {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          sourceSiteOperations: 'NotRequired',
          providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTime' },
        },
      },
      poll,
    );
    const failedBack = emulator.item('ne-app-01')?.arm as { properties: { lastSuccessfulFailoverTime?: string } };
    expect(failedBack.properties.lastSuccessfulFailoverTime).toBeDefined();

    const northJobs = await jobNames(northClient, NE.vault, NE.resourceGroup);
    const westJobs = await jobNames(westClient, S.vault, S.resourceGroup);
    expect(northJobs).toHaveLength(1);
    expect(westJobs).toEqual([westJob]);
    expect(northJobs[0]).not.toBe(westJob);
    expect(northJobs[0]).toMatch(/^00000001-0000-40a5-8000-/);
    expect(westJob).toMatch(/^00000000-0000-40a5-8000-/);
    // A job is found in its own vault only; the control API finds both.
    const wrongVault = await errorOf(westClient.replicationJobs.get(S.vault, S.resourceGroup, northJobs[0] ?? ''));
    expect(wrongVault?.statusCode).toBe(404);
    expect(emulator.job(northJobs[0] ?? '')?.id).toBe(`${NE_ASR_ID}/replicationJobs/${northJobs[0]}`);
    expect(emulator.jobs().map((j) => j.name)).toEqual(expect.arrayContaining([westJob, northJobs[0]]));

    expect(emulator.item('ne-app-01')?.stage).toBe('failedOver');
    expect(emulator.item('ne-db-01')?.stage).toBe('ready');
    expect(emulator.item('db-01')?.stage).toBe('ready');
    // requests and operationPosts cover every vault.
    const posts = emulator
      .operationPosts('unplannedFailover')
      .slice(postsBefore)
      .map((r) => r.path);
    expect(posts).toEqual([expect.stringContaining(`/vaults/${NE.vault}/`)]);
    expect(emulator.requests.all().some((r) => r.path.includes(`/vaults/${NE.vault}/`))).toBe(true);
    await waitUntil(() => jobState(westJob) === 'Succeeded', `job ${westJob}`);
  });

  it("completes a classic VM's cycle in the second vault: commit and reprotect with its own fabric and policy", async () => {
    const [f, c, n] = parts('ne-app-01');
    await northClient.replicationProtectedItems.beginFailoverCommitAndWait(NE.vault, NE.resourceGroup, f, c, n, poll);
    await northClient.replicationProtectedItems.beginReprotectAndWait(
      NE.vault,
      NE.resourceGroup,
      f,
      c,
      n,
      {
        properties: {
          failoverDirection: 'RecoveryToPrimary',
          providerSpecificDetails: {
            instanceType: 'InMageAzureV2',
            processServerId: NE.processServer.default,
            masterTargetId: NE.masterTarget,
            runAsAccountId: NE.runAsAccounts.vcenter,
            policyId: `${NE_ASR_ID}/replicationPolicies/${NE.policies.classicToAzure}`,
          },
        },
      },
      poll,
    );
    expect(emulator.item('ne-app-01')).toMatchObject({ stage: 'replicatingToAzure', provider: 'InMageAzureV2' });
  });

  it("completes a modernized VM's cycle in the second vault (the portal's bodies)", async () => {
    for (const kind of ['plannedFailover', 'failoverCommit', 'reprotect'] as const) {
      const job = emulator.startInPortal('ne-crm-01', kind);
      expect(job).toMatch(/^00000001-/);
      await waitUntil(() => jobState(job) === 'Succeeded', `${kind} job of ne-crm-01`);
    }
    expect(emulator.item('ne-crm-01')).toMatchObject({ vault: NE.vault, provider: 'InMageRcm' });
  });

  it("fails the second vault's plan over with an operation id of that vault", async () => {
    // ne-app-01 replicates to Azure again: bring it back to "ready to fail back" (with a point), as in the portal.
    emulator.setItemStage('ne-app-01', 'ready');
    emulator.setRecoveryPoints('ne-app-01', [
      { name: 'ne-app-01-point', time: new Date(Date.now() - 60_000), type: 'CrashConsistent' },
    ]);
    const poller = await northClient.replicationRecoveryPlans.beginUnplannedFailover(
      NE.vault,
      NE.resourceGroup,
      NE.plans.classic,
      {
        properties: {
          failoverDirection: 'RecoveryToPrimary',
          sourceSiteOperations: 'NotRequired',
          providerSpecificDetails: [{ instanceType: 'InMage', recoveryPointType: 'LatestTime' }],
        },
      },
    );
    await poller.pollUntilDone();
    expect(emulator.item('ne-db-01')?.stage).toBe('failedOver');
    expect(emulator.item('db-01')?.stage).toBe('ready');
    expect(emulator.plan(NE.plans.classic)?.currentScenario).toMatchObject({
      scenarioName: 'UnplannedFailover',
      status: 'Succeeded',
    });
    const status = emulator.requests
      .all()
      .filter((r) => r.path.includes('/replicationOperationStatus/') && r.path.includes(`/vaults/${NE.vault}/`));
    expect(status.at(-1)?.path).toMatch(/\/replicationOperationStatus\/00000001-0000-40b7-8000-/);
  });
});

describe('vault resources', () => {
  it('serves a vault as ARM does', async () => {
    const { status, body } = await arm(`${NE.vaultId}?api-version=2023-04-01`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: NE.vaultId,
      name: NE.vault,
      type: 'Microsoft.RecoveryServices/vaults',
      location: 'northeurope',
      tags: {},
      properties: { provisioningState: 'Succeeded' },
      sku: { name: 'Standard' },
    });
  });

  it("lists a subscription's vaults, paged with nextLink", async () => {
    const pageSize = emulator.settings.pageSize;
    emulator.settings.pageSize = 1;
    try {
      const first = await arm(
        `/subscriptions/${NE.subscriptionId}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01`,
      );
      expect(first.status).toBe(200);
      expect(first.body.value?.map((v) => v.name)).toEqual([NE.vault]);
      expect(first.body.nextLink).toContain('skiptoken=1');
      const second = await arm(first.body.nextLink ?? '');
      expect(second.body.value?.map((v) => v.id)).toEqual([
        `/subscriptions/${NE.subscriptionId}/resourceGroups/${SPARE.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${SPARE.name}`,
      ]);
      expect(second.body.nextLink).toBeUndefined();
    } finally {
      emulator.settings.pageSize = pageSize;
    }
    const west = await arm(
      `/subscriptions/${S.subscriptionId}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01`,
    );
    expect(west.body.value?.map((v) => v.id)).toEqual([S.vaultId]);
  });

  it("lists a resource group's vaults, and answers 404 for an unknown subscription", async () => {
    const rg = await arm(
      `/subscriptions/${NE.subscriptionId}/resourceGroups/${SPARE.resourceGroup}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01`,
    );
    expect(rg.body.value?.map((v) => v.name)).toEqual([SPARE.name]);
    const unknown = await arm(
      '/subscriptions/22222222-2222-2222-2222-222222222222/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({ code: 'SubscriptionNotFound', message: expect.any(String) });
  });
});

describe('when the identity may not read a vault', () => {
  afterEach(() => emulator.denyVault(NE.vault, false));

  it('answers 403 AuthorizationFailed, naming the action and the scope, then works again when allowed', async () => {
    emulator.denyVault(NE.vault, true);
    const error = await errorOf(friendlyNames(northClient, NE.vault, NE.resourceGroup));
    expect(error?.statusCode).toBe(403);
    expect(error?.code).toBe('AuthorizationFailed');
    expect(error?.message).toBe(
      `The client '${IDENTITY.clientId}' with object id '${IDENTITY.objectId}' does not have authorization to perform action ` +
        `'Microsoft.RecoveryServices/vaults/replicationProtectedItems/read' over scope ` +
        `'/subscriptions/${NE.subscriptionId}/resourceGroups/${NE.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${NE.vault}/replicationProtectedItems' ` +
        'or the scope is invalid. If access was recently granted, please refresh your credentials.',
    );
    emulator.denyVault(NE.vault, false);
    expect(await friendlyNames(northClient, NE.vault, NE.resourceGroup)).toHaveLength(3);
  });

  it("names the request's action: an item read, an operation POST, the vault itself", async () => {
    const jobsBefore = emulator.jobs().length;
    emulator.denyVault(NE.vault, true);
    const read = await errorOf(
      northClient.replicationProtectedItems.get(NE.vault, NE.resourceGroup, ...parts('ne-db-01')),
    );
    expect(read?.message).toContain(
      "action 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read'",
    );
    const post = await errorOf(
      northClient.replicationProtectedItems.beginUnplannedFailover(NE.vault, NE.resourceGroup, ...parts('ne-db-01'), {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          sourceSiteOperations: 'Required',
          providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTime' },
        },
      }),
    );
    expect(post?.statusCode).toBe(403);
    expect(post?.message).toContain(
      "action 'Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/unplannedFailover/action'",
    );
    expect(emulator.jobs()).toHaveLength(jobsBefore);
    const vault = await arm(`${NE.vaultId}?api-version=2023-04-01`);
    expect(vault.status).toBe(403);
    expect((vault.body.error as { message: string }).message).toContain(
      "action 'Microsoft.RecoveryServices/vaults/read'",
    );
  });

  it('keeps the vault in the subscription list, and the other vaults readable', async () => {
    emulator.denyVault(NE.vaultId, true);
    const list = await arm(
      `/subscriptions/${NE.subscriptionId}/providers/Microsoft.RecoveryServices/vaults?api-version=2023-04-01`,
    );
    expect(list.body.value?.map((v) => v.name)).toContain(NE.vault);
    expect((await friendlyNames(westClient, S.vault, S.resourceGroup)).length).toBeGreaterThan(0);
    expect(
      (
        await arm(
          `/subscriptions/${NE.subscriptionId}/resourceGroups/${SPARE.resourceGroup}/providers/Microsoft.RecoveryServices/vaults/${SPARE.name}?api-version=2023-04-01`,
        )
      ).status,
    ).toBe(200);
  });

  it('refuses to deny a vault it does not serve', () => {
    expect(() => emulator.denyVault('no-such-vault', true)).toThrow(/no vault named 'no-such-vault'/);
  });
});

describe('with one vault (the one-vault API)', () => {
  let single: AsrEmulator;
  beforeAll(async () => {
    single = await startAsrEmulator({ taskMs: 20, blankJobMs: 0 });
  });
  afterAll(async () => {
    await single.stop();
  });

  it('serves the default vault as before, in westeurope', async () => {
    expect(single.vaults).toEqual([single.vault]);
    expect(single.vault).toEqual({
      subscriptionId: S.subscriptionId,
      resourceGroup: S.resourceGroup,
      name: S.vault,
      location: 'westeurope',
      id: S.vaultId,
    });
    expect(single.item('app-01')?.vault).toBe(S.vault);
    expect(single.item('ne-app-01')).toBeUndefined();
    const job = single.startInPortal('app-01', 'unplannedFailover');
    expect(job).toBe('00000000-0000-40a5-8000-000000000001');
    await waitUntil(() => (single.job(job)?.properties as { state: string }).state === 'Succeeded', 'the failover');
    expect(single.item('app-01')?.stage).toBe('failedOver');
  });

  it('refuses `vault` and `vaults` together, and a vault seeded twice', async () => {
    await expect(startAsrEmulator({ vault: defaultVault(), vaults: [secondVault()] })).rejects.toThrow(/not both/);
    await expect(
      startAsrEmulator({ vaults: [secondVault(), { ...secondVault(), name: 'AVS-DR-VAULT-NE' }] }),
    ).rejects.toThrow(/seeded twice/);
  });
});

async function waitUntil(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
