import https from 'node:https';
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

/** Waits until `probe` returns a value (not undefined/false), polling every 25 ms. */
async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let emulator: AsrEmulator;
let client: SiteRecoveryManagementClient;

const makeClient = (options: { maxRetries?: number } = {}) => emulatorClient(emulator, options);

async function getItem(name: string): Promise<ReplicationProtectedItem> {
  const [f, c, n] = parts(name);
  return client.replicationProtectedItems.get(VAULT, RG, f, c, n);
}

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
type Details = Record<string, unknown>;
const detailsOf = (item: ReplicationProtectedItem) => (item.properties?.providerSpecificDetails ?? {}) as Details;

/** The recorded classic failback body (classic-failback.json step 2). */
const failoverInput = {
  properties: {
    failoverDirection: 'PrimaryToRecovery',
    sourceSiteOperations: 'NotRequired',
    providerSpecificDetails: { instanceType: 'InMage' as const, recoveryPointType: 'LatestTime' as const },
  },
};
/** The recorded classic reprotect body (classic-failback.json step 6), with this vault's ids. */
const reprotectInput = (over: Record<string, unknown> = {}, direction: string | null = 'RecoveryToPrimary') => ({
  properties: {
    ...(direction ? { failoverDirection: direction } : {}),
    providerSpecificDetails: {
      instanceType: 'InMageAzureV2' as const,
      processServerId: S.processServer.default,
      masterTargetId: S.masterTarget,
      runAsAccountId: S.runAsAccounts.linuxRoot,
      policyId: `${VAULT_ID}/replicationPolicies/${S.policies.classicToAzure}`,
      ...over,
    },
  },
});

beforeAll(async () => {
  emulator = await startAsrEmulator({
    pageSize: 10,
    extraVms: 30,
    taskMs: 40,
    retryAfterSeconds: 1,
    agentRegistrationDelayMs: 300,
  });
  process.env.IDENTITY_ENDPOINT = emulator.identity.endpoint;
  process.env.IDENTITY_HEADER = emulator.identity.header;
  client = makeClient();
});

afterAll(async () => {
  await emulator.stop();
});

describe('authentication', () => {
  it('answers 401 with an ARM error when no bearer token is sent', async () => {
    const path = `/subscriptions/${S.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationFabrics?api-version=2023-06-01`;
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(`${emulator.url}${path}`, { ca: emulator.caCertPem }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    expect(JSON.parse(body)).toEqual({
      error: { code: 'AuthenticationFailed', message: expect.stringContaining('Authorization') },
    });
  });

  it('accepts the token DefaultAzureCredential gets from the managed-identity endpoint', async () => {
    const fabrics = [];
    for await (const f of client.replicationFabrics.list(VAULT, RG)) fabrics.push(f);
    expect(fabrics.map((f) => f.properties?.customDetails?.instanceType).sort()).toEqual([
      'Azure',
      'InMageRcm',
      'VMware',
    ]);
  });
});

describe('reads', () => {
  it('lists every protected item of the vault across pages (nextLink)', async () => {
    const before = emulator.requests.all().length;
    const names: string[] = [];
    for await (const item of client.replicationProtectedItems.list(VAULT, RG))
      names.push(item.properties?.friendlyName ?? '');
    expect(names).toHaveLength(7 + 30);
    expect(names).toEqual(
      expect.arrayContaining(['app-01', 'db-01', 'web-01', 'file-01', 'erp-01-nopoints', 'crm-01', 'vm-030']),
    );
    const pages = emulator.requests
      .all()
      .slice(before)
      .filter((r) => /replicationProtectedItems$/.test(r.path));
    expect(pages).toHaveLength(4);
    expect(pages[1]?.query.$skiptoken).toBe('10');
  });

  it('gets a classic item ready to fail back as recorded: active in Primary (Azure), a vmId that is not its name', async () => {
    const item = await getItem('app-01');
    expect(item.properties).toMatchObject({
      friendlyName: 'app-01',
      protectionState: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: ['UnplannedFailover', 'DisableProtection'],
      currentScenario: { scenarioName: 'None', jobId: `${VAULT_ID}/replicationJobs/None` },
      providerSpecificDetails: {
        instanceType: 'InMage',
        activeSiteType: 'Azure',
        osDetails: { osType: 'Windows' },
        processServerId: S.processServer.azure,
        masterTargetId: S.masterTarget,
      },
    });
    expect(item.properties?.currentScenario?.startTime?.toISOString()).toBe('1753-01-01T01:01:01.000Z');
    const vmId = String(detailsOf(item).vmId);
    expect(vmId).toMatch(GUID);
    expect(vmId).not.toBe(item.name);
    expect(emulator.item('app-01')?.jobTargetId).toBe(vmId);
    expect(item.id).toMatch(/^\/Subscriptions\/.+\/replicationProtectedItems\//);
  });

  it('serves the VMware fabric: the CS process server is also its master target; an Azure-side process server serves the failback', async () => {
    const fabric = await client.replicationFabrics.get(VAULT, RG, S.classicFabric);
    const custom = fabric.properties?.customDetails as {
      processServers: { id: string; friendlyName: string; health: string; ipAddress: string }[];
      masterTargetServers: { id: string }[];
      runAsAccounts: { accountId: string }[];
    };
    expect(custom.processServers.map((p) => [p.friendlyName, p.health])).toEqual([
      ['avs-cs01', 'Normal'],
      ['avs-ps02', 'Critical'],
      ['azure-ps01', 'Normal'],
    ]);
    expect(custom.masterTargetServers.map((m) => m.id)).toEqual([S.processServer.default]);
    expect(custom.runAsAccounts.map((a) => a.accountId)).toEqual(['1', '2']);
  });

  it('lists 24 h of recovery points, newest first, across pages', async () => {
    const [fabric, container, name] = parts('web-01');
    const points = [];
    for await (const p of client.recoveryPoints.listByReplicationProtectedItems(VAULT, RG, fabric, container, name))
      points.push(p);
    expect(points).toHaveLength(288 + 24);
    const first = points[0]?.properties;
    expect(first?.recoveryPointType).toBe('CrashConsistent');
    expect(first?.recoveryPointTime).toBeInstanceOf(Date);
    expect(Date.now() - (first?.recoveryPointTime?.getTime() ?? 0)).toBeLessThan(10 * 60_000);
    expect(points.filter((p) => p.properties?.recoveryPointType === 'ApplicationConsistent')).toHaveLength(24);
    const one = await client.recoveryPoints.get(VAULT, RG, fabric, container, name, points[5]?.name ?? '');
    expect(one.id).toBe(points[5]?.id);
  });

  it('retries a read answered 429 with Retry-After; the legacy InMageAzureV2 policy is listed first', async () => {
    emulator.faults.add({
      kind: 'status',
      match: { method: 'GET', path: /replicationPolicies$/ },
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
    });
    const before = emulator.requests.all().length;
    const policies = [];
    for await (const p of client.replicationPolicies.list(VAULT, RG)) policies.push(p);
    expect(policies.map((p) => [p.name, p.properties?.providerSpecificDetails?.instanceType])).toEqual([
      [S.policies.classicToAzureLegacy, 'InMageAzureV2'],
      [S.policies.classicToAzure, 'InMageAzureV2'],
      [S.policies.classicFailback, 'InMage'],
      [S.policies.modernizedToAzure, 'InMageRcm'],
      [S.policies.modernizedFailback, 'InMageRcmFailback'],
    ]);
    const tries = emulator.requests
      .all()
      .slice(before)
      .filter((r) => /replicationPolicies$/.test(r.path));
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('a classic failback as recorded: unplanned failover PrimaryToRecovery, commit, reprotect RecoveryToPrimary', () => {
  it('refuses the failover in the direction the old emulator guessed (RecoveryToPrimary), naming the expected one', async () => {
    const [fabric, container, name] = parts('app-01');
    const input = { properties: { ...failoverInput.properties, failoverDirection: 'RecoveryToPrimary' } };
    const error = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, fabric, container, name, input),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe('InvalidParameter');
    expect(error?.message).toMatch(/failoverDirection must be 'PrimaryToRecovery'.*'app-01'.*active in Primary.*Azure/);
  });

  it('accepts the recorded body with 202 and the recorded headers, runs the recorded tasks, then allows Commit', async () => {
    const [fabric, container, name] = parts('app-01');
    const before = emulator.operationPosts('unplannedFailover').length;
    let headers = { asyncOperation: '', location: '', retryAfter: '' };
    let status = 0;
    const poller = await client.replicationProtectedItems.beginUnplannedFailover(
      VAULT,
      RG,
      fabric,
      container,
      name,
      failoverInput,
      {
        updateIntervalInMs: 100,
        onResponse: (raw) => {
          if (raw.request.method !== 'POST') return;
          status = raw.status;
          headers = {
            asyncOperation: raw.headers.get('azure-asyncoperation') ?? '',
            location: raw.headers.get('location') ?? '',
            retryAfter: raw.headers.get('retry-after') ?? '',
          };
        },
      },
    );
    expect(status).toBe(202);
    const jobName = /replicationOperationStatus\/([^?]+)/.exec(headers.asyncOperation)?.[1] ?? '';
    expect(jobName).toMatch(GUID);
    expect(headers.asyncOperation).toContain(`${VAULT_ID}/replicationOperationStatus/${jobName}?`);
    expect(headers.location).toContain(`${emulator.item('app-01')?.id}/operationresults/${jobName}?`);
    expect(headers.retryAfter).toBe('1');

    const running = await getItem('app-01');
    expect(running.properties?.currentScenario).toMatchObject({
      scenarioName: 'UnplannedFailover',
      jobId: `${VAULT_ID}/replicationJobs/${jobName}`,
    });
    expect(running.properties?.allowedOperations).toEqual([]);

    const seen = new Set<string>();
    const done = await waitFor(async () => {
      const job = await client.replicationJobs.get(VAULT, RG, jobName);
      for (const t of job.properties?.tasks ?? []) seen.add(`${t.name}:${t.state}`);
      return job.properties?.state === 'Succeeded' ? job : undefined;
    });
    expect(done.properties).toMatchObject({
      scenarioName: 'UnplannedFailover',
      friendlyName: 'Failover',
      targetObjectId: emulator.item('app-01')?.jobTargetId,
      targetObjectName: 'app-01',
      targetInstanceType: 'ProtectionEntity',
      customDetails: { instanceType: 'FailoverJobDetails' },
    });
    expect(done.properties?.tasks?.map((t) => t.name)).toEqual([
      'VmUfoPrerequisitesCheck',
      'VmShutdownVmOnPrimary',
      'VmPrepareForUnPlannedFailover',
      'VmFailover',
      'VmFoStartVmOnSecondary',
    ]);
    // sourceSiteOperations NotRequired: ASR is not asked to shut the Azure VM down.
    expect(done.properties?.tasks?.find((t) => t.name === 'VmShutdownVmOnPrimary')?.state).toBe('Skipped');
    expect(seen.has('VmFailover:InProgress') || seen.has('VmPrepareForUnPlannedFailover:InProgress')).toBe(true);

    const result = await poller.pollUntilDone();
    expect(result.properties?.protectionState).toBe('CommitPendingStatesBegin');
    const after = await getItem('app-01');
    expect(after.properties).toMatchObject({
      activeLocation: 'Recovery',
      allowedOperations: ['Commit', 'ChangePit', 'DisableProtection'],
      currentScenario: { scenarioName: 'None' },
      providerSpecificDetails: { activeSiteType: 'OnPrem' },
    });
    expect(emulator.operationPosts('unplannedFailover').slice(before)).toHaveLength(1);
  });

  it('commits: job CommitFailover / Commit; the item is UnplannedFailoverCommitted and allows SwitchProtection', async () => {
    const [fabric, container, name] = parts('app-01');
    await client.replicationProtectedItems.beginFailoverCommitAndWait(VAULT, RG, fabric, container, name, {
      updateIntervalInMs: 100,
    });
    const job = emulator.jobs()[0] as {
      properties: {
        scenarioName: string;
        friendlyName: string;
        tasks: { name: string }[];
        customDetails: { instanceType: string };
      };
    };
    expect(job.properties).toMatchObject({
      scenarioName: 'CommitFailover',
      friendlyName: 'Commit',
      customDetails: { instanceType: 'AsrJobDetails' },
    });
    expect(job.properties.tasks.map((t) => t.name)).toEqual(['VmCommitPrerequisitesCheck', 'VmCommit']);
    const after = await getItem('app-01');
    expect(after.properties).toMatchObject({
      protectionState: 'UnplannedFailoverCommitted',
      protectionStateDescription: 'Failover committed',
      activeLocation: 'Recovery',
      allowedOperations: ['CompleteMigration', 'DisableProtection', 'SwitchProtection'],
    });
    expect(emulator.operationPosts('failoverCommit')).toHaveLength(1);
  });

  it.each([
    [
      "another fabric's process server",
      'ProcessServerNotFound',
      reprotectInput({ processServerId: S.applianceProcessServer.default }),
      /process server .* is not registered with the configuration server 'avs-cs01'.*avs-cs01/,
    ],
    [
      'no run-as account',
      'InvalidParameter',
      reprotectInput({ runAsAccountId: undefined }),
      /runAsAccountId is required.*'1' \(vcenter-avs\), '2' \(linux-root\)/,
    ],
    [
      'an unknown run-as account',
      'RunAsAccountNotFound',
      reprotectInput({ runAsAccountId: '7' }),
      /run-as account '7'/,
    ],
    [
      'an unknown master target',
      'MasterTargetNotFound',
      reprotectInput({ masterTargetId: 'nope' }),
      /master target server 'nope'/,
    ],
    [
      'the legacy policy no container is mapped to',
      'InvalidPolicy',
      reprotectInput({ policyId: `${VAULT_ID}/replicationPolicies/${S.policies.classicToAzureLegacy}` }),
      /not associated with the protection container 'avs-cs01'.*avs-to-azure'/,
    ],
    [
      'the direction PrimaryToRecovery',
      'InvalidParameter',
      reprotectInput({}, 'PrimaryToRecovery'),
      /failoverDirection must be 'RecoveryToPrimary' for the reprotect/,
    ],
    ['no direction', 'InvalidParameter', reprotectInput({}, null), /failoverDirection must be 'RecoveryToPrimary'/],
  ])('refuses a reprotect with %s (400 %s)', async (_what, code, input, message) => {
    const [fabric, container, name] = parts('app-01');
    const error = await errorOf(
      client.replicationProtectedItems.beginReprotect(VAULT, RG, fabric, container, name, input as never),
    );
    expect(error?.statusCode).toBe(400);
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
  });

  it('reprotects with the recorded body: job SwitchReplicationGroupProtection / Reprotect on the vmId; the item replicates to Azure', async () => {
    const [fabric, container, name] = parts('app-01');
    const vmId = emulator.item('app-01')?.jobTargetId;
    await client.replicationProtectedItems.beginReprotectAndWait(VAULT, RG, fabric, container, name, reprotectInput(), {
      updateIntervalInMs: 100,
    });
    const job = emulator.jobs()[0] as { properties: Record<string, unknown> };
    expect(job.properties).toMatchObject({
      scenarioName: 'SwitchReplicationGroupProtection',
      friendlyName: 'Reprotect',
      targetObjectId: vmId,
      customDetails: {
        instanceType: 'SwitchProtectionJobDetails',
        newReplicationProtectedItemId: emulator.item('app-01')?.id,
      },
    });
    const after = await getItem('app-01');
    expect(after.properties).toMatchObject({
      protectionState: 'Protected',
      activeLocation: 'Primary',
      allowedOperations: ['TestFailover', 'UnplannedFailover', 'DisableProtection'],
    });
    expect(detailsOf(after)).toMatchObject({
      instanceType: 'InMageAzureV2',
      vmId,
      processServerId: S.processServer.default,
      masterTargetId: S.masterTarget,
    });
  });
});

describe('when the answer to an accepted failover POST is lost', () => {
  it('has started the operation: the item shows the running job, and one POST was accepted (retries off)', async () => {
    const noRetry = makeClient({ maxRetries: 0 });
    emulator.faults.add({ kind: 'drop-after-accept', match: { method: 'POST', path: /unplannedFailover/ }, times: 1 });
    const [fabric, container, name] = parts('db-01');
    const before = emulator.operationPosts('unplannedFailover').length;
    await expect(
      noRetry.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, fabric, container, name, failoverInput),
    ).rejects.toThrow();
    const item = await getItem('db-01');
    expect(item.properties?.currentScenario?.scenarioName).toBe('UnplannedFailover');
    expect(item.properties?.currentScenario?.jobId).toMatch(/\/replicationJobs\/[0-9a-f-]+$/);
    const posts = emulator.operationPosts('unplannedFailover').slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.dropped).toBe(true);
  });

  it("shows what the SDK's default retry policy does: it re-POSTs, and ASR refuses the second POST", async () => {
    emulator.faults.add({ kind: 'drop-after-accept', match: { method: 'POST', path: /unplannedFailover/ }, times: 1 });
    const [fabric, container, name] = parts('web-01');
    const before = emulator.operationPosts('unplannedFailover').length;
    const error = await errorOf(
      client.replicationProtectedItems.beginUnplannedFailover(VAULT, RG, fabric, container, name, failoverInput),
    );
    const posts = emulator.operationPosts('unplannedFailover').slice(before);
    // Recorded for the lead: the default policy re-sends the POST after the reset connection.
    console.info(
      `default retry policy on a dropped POST: ${posts.length} POSTs, statuses ${posts.map((p) => (p.dropped ? 'dropped' : p.status)).join(', ')}, SDK error ${error?.statusCode} ${error?.code}`,
    );
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts[0]?.dropped).toBe(true);
    // About 1 s later: 409 OperationInProgress while the job runs, 400 once the failover is done.
    expect([400, 409]).toContain(posts[1]?.status);
    expect(['OperationInProgress', 'OperationNotAllowedInCurrentState']).toContain(error?.code);
    expect(
      emulator.jobs().filter((j) => (j.properties as { targetObjectName?: string }).targetObjectName === 'web-01'),
    ).toHaveLength(1);
  });
});
