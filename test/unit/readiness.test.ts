import type { Fabric, ReplicationProtectedItem } from '@azure/arm-recoveryservices-siterecovery';
import { healthOf, serversOf } from '../../src/azure/vm-health';
import { readinessReport, type ReadinessInput } from '../../src/domain/readiness';
import type { RecoveryPointSummary, ReplicatedPlan, ReplicatedVm } from '../../src/domain/vm';
import { readinessCsv, readinessMessage } from '../../src/bot/views/readiness';
import { LIMITS } from '../../src/bot/views/text';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000).toISOString();

function vm(name: string, over: Partial<ReplicatedVm> = {}): ReplicatedVm {
  return {
    id: `/items/${name}`,
    name,
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent'],
    health: { replication: 'Normal', errors: [], agentHeartbeat: ago(1), serverId: 'ps-1' },
    ...over,
  };
}

const points = (crashMin: number, appMin: number): RecoveryPointSummary => ({
  count: 10,
  latestCrashConsistent: ago(crashMin),
  latestAppConsistent: ago(appMin),
});

function report(over: Partial<ReadinessInput>) {
  return readinessReport({
    vms: [],
    plans: [],
    points: new Map(),
    servers: [{ id: 'ps-1', name: 'avs-cs01', role: 'process server', health: 'Normal', lastHeartbeat: ago(1) }],
    now: NOW,
    ...over,
  });
}

describe('readiness of VMs', () => {
  it('a healthy VM with fresh points is ready, with its RPO per kind', () => {
    const r = report({ vms: [vm('app-01')], points: new Map([['/items/app-01', points(4, 50)]]) });
    expect(r.rows[0]).toMatchObject({ name: 'app-01', verdict: 'ready', reasons: [], crashAgeMs: 4 * 60_000 });
    expect(r.rows[0]?.appAgeMs).toBe(50 * 60_000);
    expect(r.counts.vm).toEqual({ ready: 1, 'at-risk': 0, blocked: 0 });
  });

  it('says what blocks a VM: not ready, an operation running, no recovery point', () => {
    const r = report({
      vms: [
        vm('not-reprotected', { failback: { ready: false, reason: 'is not reprotected to AVS yet' } }),
        vm('busy', { runningOperation: { scenario: 'SwitchProtection', jobName: 'j1' } }),
        vm('no-points'),
      ],
      points: new Map([['/items/no-points', { count: 0 }]]),
    });
    const reasons = Object.fromEntries(r.rows.map((row) => [row.name, row.reasons.join(' | ')]));
    expect(reasons['not-reprotected']).toBe('is not reprotected to AVS yet');
    expect(reasons.busy).toMatch(/operation runs on it \(SwitchProtection\)/);
    expect(reasons['no-points']).toBe('has no recovery point');
    expect(r.counts.vm.blocked).toBe(3);
  });

  it('puts a VM at risk for degraded health: critical replication, ASR errors, a silent agent or server, an old point', () => {
    const r = report({
      vms: [
        vm('critical', { health: { replication: 'Critical', errors: [{ message: 'Data upload is stuck' }] } }),
        vm('silent-agent', { health: { replication: 'Normal', errors: [], agentHeartbeat: ago(90) } }),
        vm('bad-server', { health: { replication: 'Normal', errors: [], serverId: 'PS-2' } }),
        vm('old-point'),
      ],
      points: new Map([['/items/old-point', points(180, 200)]]),
      servers: [{ id: 'ps-2', name: 'avs-ps02', role: 'process server', health: 'Critical', lastHeartbeat: ago(200) }],
    });
    const byName = new Map(r.rows.map((row) => [row.name, row]));
    expect(byName.get('critical')?.reasons).toEqual(['replication health Critical', 'ASR: Data upload is stuck']);
    expect(byName.get('silent-agent')?.reasons).toEqual(['agent last heard 1 h 30 min ago']);
    expect(byName.get('bad-server')?.reasons).toEqual(['process server avs-ps02 is Critical']);
    expect(byName.get('old-point')?.reasons).toEqual(['newest recovery point is 3 h 0 min old']);
    expect(r.rows.every((row) => row.verdict === 'at-risk')).toBe(true);
  });

  it('orders worst first: blocked, then at risk, then ready (oldest point first)', () => {
    const r = report({
      vms: [
        vm('fresh'),
        vm('stale'),
        vm('blocked', { failback: { ready: false, reason: 'x' } }),
        vm('risky', { health: { replication: 'Warning', errors: [] } }),
      ],
      points: new Map([
        ['/items/fresh', points(2, 30)],
        ['/items/stale', points(40, 55)],
      ]),
    });
    expect(r.rows.map((row) => row.name)).toEqual(['blocked', 'risky', 'stale', 'fresh']);
  });

  it('uses the RPO ASR computed (classic) when the points are not read, and counts VMs still unread', () => {
    const r = report({
      vms: [vm('classic', { health: { replication: 'Normal', errors: [], rpoSeconds: 420 } }), vm('modern')],
    });
    const byName = new Map(r.rows.map((row) => [row.name, row]));
    expect(byName.get('classic')).toMatchObject({ pointsKnown: true, crashAgeMs: 420_000 });
    expect(byName.get('modern')).toMatchObject({ pointsKnown: false });
    expect(r.pointsUnknown).toBe(1);
  });
});

describe('readiness of recovery plans', () => {
  const plan = (over: Partial<ReplicatedPlan> = {}): ReplicatedPlan => ({
    id: '/plans/tier',
    name: 'app-tier',
    vmIds: ['/items/a', '/items/b'],
    failsBack: true,
    failback: { ready: true },
    pointChoices: ['latest'],
    ...over,
  });

  it('is blocked when a member is blocked, and names it; its RPO is the oldest member’s', () => {
    const r = report({
      vms: [vm('a'), vm('b', { failback: { ready: false, reason: 'is not reprotected' } })],
      plans: [plan()],
      points: new Map([
        ['/items/a', points(5, 20)],
        ['/items/b', points(25, 40)],
      ]),
    });
    expect(r.rows[0]).toMatchObject({
      kind: 'plan',
      verdict: 'blocked',
      members: { ready: 1, total: 2 },
      crashAgeMs: 25 * 60_000,
    });
    expect(r.rows[0]?.reasons).toEqual(['blocked VMs: b']);
  });

  it('leaves out plans that do not fail back to AVS', () => {
    expect(report({ vms: [vm('a'), vm('b')], plans: [plan({ failsBack: false })] }).counts.plan).toEqual({
      ready: 0,
      'at-risk': 0,
      blocked: 0,
    });
  });
});

describe('health read from ASR items and fabrics', () => {
  it('classic (InMage): agent heartbeat, ASR RPO, process server; errors worst first', () => {
    const item = {
      properties: {
        replicationHealth: 'Warning',
        healthErrors: [
          { errorLevel: 'Warning', errorCode: '78144', errorMessage: 'No app-consistent point in the last hour' },
          {
            errorLevel: 'Error',
            errorCode: '78052',
            errorMessage: 'Process server is not reachable',
            recommendedAction: 'Check the PS',
          },
          { errorLevel: 'Error' },
        ],
        providerSpecificDetails: {
          instanceType: 'InMage',
          lastHeartbeat: new Date('2026-12-04T11:59:00Z'),
          rpoInSeconds: 300,
          processServerId: 'ps-9',
        },
      },
    } as unknown as ReplicationProtectedItem;
    expect(healthOf(item)).toEqual({
      replication: 'Warning',
      errors: [
        { level: 'Error', code: '78052', message: 'Process server is not reachable', action: 'Check the PS' },
        { level: 'Warning', code: '78144', message: 'No app-consistent point in the last hour', action: undefined },
      ],
      agentHeartbeat: '2026-12-04T11:59:00.000Z',
      rpoSeconds: 300,
      serverId: 'ps-9',
    });
  });

  it('modernized (InMageRcmFailback): the mobility agent and the appliance that replicates back', () => {
    const item = {
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          mobilityAgentDetails: { lastHeartbeatUtc: new Date('2026-12-04T11:58:00Z') },
          reprotectAgentId: 'ra-1',
          reprotectAgentName: 'avs-appliance01',
        },
      },
    } as unknown as ReplicationProtectedItem;
    expect(healthOf(item)).toEqual({
      errors: [],
      agentHeartbeat: '2026-12-04T11:58:00.000Z',
      serverId: 'ra-1',
      serverName: 'avs-appliance01',
    });
  });

  it('reads process servers (VMware fabric) and appliances (InMageRcm fabric); other fabrics have none', () => {
    const fabric = (customDetails: unknown) => ({ properties: { customDetails } }) as unknown as Fabric;
    expect(
      serversOf(
        fabric({
          instanceType: 'VMware',
          processServers: [
            { id: 'ps-1', friendlyName: 'avs-cs01', health: 'Normal', lastHeartbeat: '2026-12-04T11:59:00Z' },
          ],
        }),
      ),
    ).toEqual([
      { id: 'ps-1', name: 'avs-cs01', role: 'process server', health: 'Normal', lastHeartbeat: '2026-12-04T11:59:00Z' },
    ]);
    const rcm = serversOf(
      fabric({
        instanceType: 'InMageRcm',
        processServers: [{ id: 'p', name: 'app01', health: 'Warning' }],
        reprotectAgents: [{ id: 'ra-1', name: 'avs-appliance01', health: 'Normal' }],
      }),
    );
    expect(rcm.map((s) => `${s.role}:${s.name}`)).toEqual(['process server:app01', 'appliance:avs-appliance01']);
    expect(serversOf(fabric({ instanceType: 'Azure' }))).toEqual([]);
  });
});

describe('the readiness message and table', () => {
  const many = Array.from({ length: 500 }, (_, i) =>
    vm(
      `vm-${String(i).padStart(3, '0')}`,
      i % 7 === 0 ? { failback: { ready: false, reason: 'is <b>not</b> *ready*' } } : {},
    ),
  );
  const big = report({ vms: many, points: new Map(many.map((v) => [v.id, points(5, 30)])) });

  it('fits Slack’s limits for 500 VMs: the worst rows, counts, and where the rest is', () => {
    const m = readinessMessage(big, { fileNote: 'Every row is in the CSV file in this thread.' });
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('428 ready · 0 at risk · 72 blocked');
    expect(text).toContain('Every row is in the CSV file in this thread.');
    for (const b of m.blocks)
      if (b.type === 'section') expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(LIMITS.sectionText);
  });

  it('escapes what ASR says before it reaches Slack', () => {
    const text = JSON.stringify(readinessMessage(big).blocks);
    expect(text).not.toContain('<b>');
    expect(text).toContain('&lt;b&gt;');
  });

  it('the CSV has every row and defuses spreadsheet formulas', () => {
    const csv = readinessCsv(report({ vms: [vm('=HYPERLINK("x")'), ...many] }));
    expect(csv.trim().split('\n')).toHaveLength(502);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
