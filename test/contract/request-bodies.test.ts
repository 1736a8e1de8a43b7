/**
 * Every operation the bot can send, compared field by field with the recorded real call for the
 * same provider and step, request paths included (a swapped vault / resource group shows up here).
 * Where the bot deliberately differs from a recording, the test names the difference and why.
 */
import {
  CONTAINER,
  FABRIC,
  gatewayOn,
  itemId,
  RecordedArm,
  recordedTail,
  recorded,
  RG,
  SUB,
  VAULT,
} from './recorded-arm';

const { classic, modernized } = recorded;
type Row = Record<string, unknown>;

const ITEM_PATH = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationFabrics/${FABRIC}/replicationProtectionContainers/${CONTAINER}/replicationProtectedItems/${name}`;

/** The recorded request line's operation: "POST …/replicationProtectedItems/X/reProtect" → "/replicationProtectedItems/X/reProtect". */
function recordedPathTail(requestLine: string): string {
  return recordedTail(requestLine.split(' ')[1] ?? '').split(' ')[0] ?? '';
}

/** A recorded body with the parts the recordings shortened ("/Subscriptions/…/x", "30AE6187-…") in our test ids. */
function withIds(body: Row, ids: Record<string, string>): Row {
  return JSON.parse(JSON.stringify(body), (_k, v: unknown) => (typeof v === 'string' && v in ids ? ids[v] : v)) as Row;
}

async function send(
  arm: RecordedArm,
  name: string,
  start: (gateway: ReturnType<typeof gatewayOn>) => Promise<unknown>,
) {
  await start(gatewayOn(arm));
  const posts = arm.posts();
  expect(posts).toHaveLength(1);
  const post = posts[0]!;
  expect(post.path.startsWith(ITEM_PATH(name))).toBe(true);
  return post;
}

describe('classic (InMage → InMageAzureV2)', () => {
  const name = 'V2A-W2K16-201-new';
  const ready = classic['1_item_ready_to_fail_back'];
  const committed = classic['5_item_after_failback_and_commit'];

  it('fails back with the recorded unplanned failover (direction from activeLocation Primary: PrimaryToRecovery)', async () => {
    const arm = new RecordedArm().item(name, ready.properties);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'failover', { recoveryPoint: { kind: 'latest' } }),
    );
    expect(post.path).toBe(
      ITEM_PATH(name) +
        recordedPathTail(classic['2_failback_request'].request).replace(`/replicationProtectedItems/${name}`, ''),
    );
    const expected = classic['2_failback_request'].body;
    // The one deliberate difference: the recorded test chose NotRequired; the tutorial's failback asks
    // ASR to shut the Azure VM down first (PowerShell -PerformSourceSideAction → Required).
    expect(post.body).toEqual({ properties: { ...expected.properties, sourceSiteOperations: 'Required' } });
  });

  it('sends LatestTag for the latest app-consistent point, otherwise the same call', async () => {
    const arm = new RecordedArm().item(name, ready.properties);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'failover', { recoveryPoint: { kind: 'latest-app-consistent' } }),
    );
    expect(post.body).toMatchObject({
      properties: {
        failoverDirection: 'PrimaryToRecovery',
        providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTag' },
      },
    });
  });

  it('commits with the recorded failoverCommit (empty body)', async () => {
    const arm = new RecordedArm().item(name, { ...ready.properties, allowedOperations: ['Commit'] });
    const post = await send(arm, name, (g) => g.startOperation(itemId(name), 'commit', {}));
    expect(post.path).toBe(`${ITEM_PATH(name)}/failoverCommit`);
    expect(post.body ?? {}).toEqual({});
  });

  it('reprotects to Azure with exactly the recorded reProtect body (RecoveryToPrimary, master target = process server, run-as account, mapped policy)', async () => {
    const recordedReq = classic['6_reprotect_to_azure'];
    const ids = {
      '30AE6187-…': '30AE6187-1111-2222-3333-444444444444',
      '/Subscriptions/…/replicationPolicies/Policyv2a': `/Subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationPolicies/Policyv2a`,
    };
    const expected = withIds(recordedReq.body, ids);
    const choice = (expected.properties as { providerSpecificDetails: Row }).providerSpecificDetails;
    const arm = new RecordedArm().item(name, committed.properties);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'reprotect', {
        reprotect: {
          processServerId: String(choice.processServerId),
          runAsAccountId: String(choice.runAsAccountId),
          policyId: String(choice.policyId),
        },
      }),
    );
    expect(post.path).toBe(`${ITEM_PATH(name)}/reProtect`);
    expect(recordedPathTail(recordedReq.request)).toBe(`/replicationProtectedItems/${name}/reProtect`);
    expect(post.body).toEqual(expected);
  });
});

describe('modernized (InMageRcmFailback → InMageRcm)', () => {
  const name = 'vcenter67_50158471-rcm';
  const ready = modernized['1_item_ready_to_fail_back'];

  it('fails back with the recorded planned failover: no direction at all', async () => {
    const arm = new RecordedArm().item(name, ready.properties);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'failover', { recoveryPoint: { kind: 'latest-app-consistent' } }),
    );
    expect(post.path).toBe(`${ITEM_PATH(name)}/plannedFailover`);
    expect(post.body).toEqual(modernized['2_failback_request'].body);
    expect(JSON.stringify(post.body)).not.toContain('failoverDirection');
  });

  it('sends CrashConsistent for the latest point', async () => {
    const arm = new RecordedArm().item(name, ready.properties);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'failover', { recoveryPoint: { kind: 'latest' } }),
    );
    expect(post.body).toEqual({
      properties: {
        providerSpecificDetails: { instanceType: 'InMageRcmFailback', recoveryPointType: 'CrashConsistent' },
      },
    });
  });

  it('reprotects with exactly the recorded body: no direction, process server, the VMware site’s run-as account, policy', async () => {
    const recordedReq = modernized['5_reprotect_after_failback'];
    const site = `/subscriptions/${SUB}/resourceGroups/rg-migrate/providers/Microsoft.OffAzure/VMwareSites/avs-vmwaresite/runasaccounts/adb223ca-0000-0000-0000-000000000000`;
    const d = recordedReq.body.properties.providerSpecificDetails;
    const ids = {
      [d.processServerId]: '7d30ec24-1111-2222-3333-444444444444',
      [d.runAsAccountId]: site,
      [d.policyId]: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationPolicies/v2aRcm-pwsh-testpolicy`,
    };
    const expected = withIds(recordedReq.body, ids);
    const choice = (expected.properties as { providerSpecificDetails: Row }).providerSpecificDetails;
    const committed = {
      ...modernized['4_item_failed_back_not_committed'].properties,
      protectionState: 'PlannedFailoverCommitted',
      allowedOperations: ['CompleteMigration', 'DisableProtection', 'SwitchProtection'],
    };
    const arm = new RecordedArm().item(name, committed);
    const post = await send(arm, name, (g) =>
      g.startOperation(itemId(name), 'reprotect', {
        reprotect: {
          processServerId: String(choice.processServerId),
          runAsAccountId: String(choice.runAsAccountId),
          policyId: String(choice.policyId),
        },
      }),
    );
    expect(post.path).toBe(`${ITEM_PATH(name)}/reProtect`);
    expect(post.body).toEqual(expected);
  });
});

describe('reads', () => {
  it('puts the vault before the resource group in the SDK call, so the path has both in their place', async () => {
    const arm = new RecordedArm().item('vm-recorded', classic['1_item_ready_to_fail_back'].properties);
    await gatewayOn(arm).getVm(itemId('vm-recorded'));
    expect(arm.sent.map((r) => r.path)).toEqual([ITEM_PATH('vm-recorded')]);
  });

  it('reads a job where the recordings did: …/vaults/{vault}/replicationJobs/{name}', async () => {
    const arm = new RecordedArm().job('a2e9f617-x', classic['3_failover_job'].properties);
    await gatewayOn(arm).getJob('a2e9f617-x');
    expect(arm.sent.map((r) => r.path)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationJobs/a2e9f617-x`,
    ]);
  });
});

describe('recovery plans (no recording of a VMware plan failback: the assumption is pinned here)', () => {
  const planPath = (name: string) =>
    `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.RecoveryServices/vaults/${VAULT}/replicationRecoveryPlans/${name}`;

  it.each([
    [
      'InMage',
      'unplannedFailover',
      {
        failoverDirection: 'RecoveryToPrimary',
        sourceSiteOperations: 'Required',
        providerSpecificDetails: [{ instanceType: 'InMage', recoveryPointType: 'LatestTime' }],
      },
    ],
    [
      'InMageRcmFailback',
      'plannedFailover',
      {
        failoverDirection: 'RecoveryToPrimary',
        providerSpecificDetails: [{ instanceType: 'InMageRcmFailback', recoveryPointType: 'CrashConsistent' }],
      },
    ],
  ])(
    'a %s plan fails back with one %s on the plan (RecoveryToPrimary, as PowerShell’s plan test and a recorded Hyper-V plan)',
    async (provider, operation, properties) => {
      const arm = new RecordedArm().plan('rp-avs', {
        friendlyName: 'rp-avs',
        replicationProviders: [provider],
        allowedOperations: ['UnplannedFailover', 'PlannedFailover'],
        groups: [],
      });
      await gatewayOn(arm).startPlanOperation(planPath('rp-avs'), 'failover', { recoveryPoint: { kind: 'latest' } });
      const [post] = arm.posts();
      expect(post?.path).toBe(`${planPath('rp-avs')}/${operation}`);
      expect(post?.body).toEqual({ properties });
    },
  );
});
