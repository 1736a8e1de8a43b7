import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  choosePlan,
  chooseVms,
  commitAsApprover,
  INCIDENT_CHANNEL,
  openRequestModal,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { DEFAULT_SCENARIO as S } from '@failback/asr-emulator';
import type { JsonObject, StoredMessage } from '@failback/slack-standin';
import { BLOCK } from '../../src/bot/ids';
import { Redis } from 'ioredis';
import { RunStore } from '../../src/store/run-store';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(120_000);

let world: SandboxWorld;
let bot: Runtime;
let redis: Redis;
let store: RunStore;

beforeEach(async () => {
  const prefix = uniquePrefix('plan');
  // Tasks long enough that the card shows each VM's task within the plan job, on a slow ARM too.
  world = await startSandboxWorld({
    redisUrl: testRedisUrl(),
    prefix,
    emulator: { agentRegistrationDelayMs: 1500, taskMs: 500 },
  });
  bot = await world.startBot();
  redis = new Redis(testRedisUrl());
  store = new RunStore({ redis, prefix });
});

afterEach(async () => {
  redis.disconnect();
  await bot.stop();
  await world.stop();
});

const planPath = (plan: string, op: string) => new RegExp(`/replicationRecoveryPlans/${plan}/${op}$`, 'i');
const itemPosts = (kind: Parameters<SandboxWorld['emulator']['operationPosts']>[0]) =>
  world.emulator.operationPosts(kind).filter((p) => /replicationProtectedItems/i.test(p.path));
const versionsOf = (m: StoredMessage): JsonObject[][] => [...m.history.map((h) => h.blocks), m.blocks];

describe('a classic recovery plan', () => {
  it('fails over and commits as one plan job each, then reprotects VM by VM', async () => {
    const { view } = await openRequestModal(world);
    const shown = await choosePlan(world, view, S.plans.classic);
    // The plan's VMs are listed with each one's recovery-point ages.
    const members = blocksOf(shown).find((b) => b.block_id === BLOCK.planMembers);
    expect(JSON.stringify(members)).toMatch(/app-01.*db-01.*web-01/);
    expect(textOf(shown)).toMatch(/\*web-01\* — latest crash-consistent: .* ago · latest app-consistent/);

    expect((await submitRequest(world, shown, { vms: [], plan: S.plans.classic })).responseAction).toBe('clear');
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);

    const failovers = world.emulator.operationPosts('unplannedFailover');
    expect(failovers).toHaveLength(1);
    expect(failovers[0]?.path).toMatch(planPath(S.plans.classic, 'unplannedFailover'));
    expect(failovers[0]?.body).toEqual({
      properties: {
        failoverDirection: 'RecoveryToPrimary',
        sourceSiteOperations: 'Required',
        providerSpecificDetails: [{ instanceType: 'InMage', recoveryPointType: 'LatestTime' }],
      },
    });
    // The card showed the plan job's groups with each VM's own task.
    const seen = versionsOf(world.slack.message(INCIDENT_CHANNEL, card.ts)!)
      .map((b) => JSON.stringify(b))
      .join('\n');
    expect(seen).toMatch(/Recovery plan \*avs-failback-plan\*/);
    expect(seen).toMatch(/\*(app|db|web)-01\* — failover running — Group (1: Start|: Shutdown) · [^`]*\(\d\/2\)/);
    expect(textOf(prompt)).toContain('3 of 3 VMs failed over');

    await commitAsApprover(world, prompt, card.ts);
    const commits = world.emulator.operationPosts('failoverCommit');
    expect(commits).toHaveLength(1);
    expect(commits[0]?.path).toMatch(planPath(S.plans.classic, 'failoverCommit'));

    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 60_000);
    const reprotects = world.emulator.operationPosts('reprotect');
    expect(reprotects).toHaveLength(3);
    expect(reprotects.every((p) => /replicationProtectedItems/i.test(p.path))).toBe(true);
    expect(new Set(reprotects.map((p) => p.path)).size).toBe(3);
    expect(world.emulator.item('db-01')?.provider).toBe('InMageAzureV2');
  });

  it('is refused before anything starts when one of its VMs has no recovery point, naming it', async () => {
    const { view } = await openRequestModal(world);
    const shown = await choosePlan(world, view, S.plans.withoutPoints);
    const reply = await submitRequest(world, shown, { vms: [], plan: S.plans.withoutPoints });
    expect(reply.responseAction).toBe('errors');
    expect(reply.errors?.[BLOCK.plan]).toMatch(/erp-01-nopoints has no recovery point/);
    expect(reply.errors?.[BLOCK.plan]).not.toMatch(/web-01/);
    expect(world.emulator.operationPosts()).toHaveLength(0);
    expect(await store.recent(5)).toHaveLength(0);
  });

  it('is refused when one of its VMs is in another run, naming the VM and the run', async () => {
    const first = await openRequestModal(world);
    const vms = await chooseVms(world, first.view, ['web-01']);
    expect((await submitRequest(world, vms, { vms: ['web-01'] })).responseAction).toBe('clear');

    const second = await openRequestModal(world);
    const shown = await choosePlan(world, second.view, S.plans.classic);
    const reply = await submitRequest(world, shown, { vms: [], plan: S.plans.classic });
    expect(reply.responseAction).toBe('errors');
    expect(reply.errors?.[BLOCK.plan]).toMatch(/web-01 is already in run FB-1/);
    expect(world.emulator.operationPosts().filter((p) => /replicationRecoveryPlans/i.test(p.path))).toHaveLength(0);
  });

  it('cannot be chosen together with VMs', async () => {
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01']);
    const reply = await submitRequest(world, shown, { vms: ['app-01'], plan: S.plans.classic });
    expect(reply.responseAction).toBe('errors');
    expect(reply.errors?.[BLOCK.plan]).toMatch(/VMs or a recovery plan, not both/);
    expect(await store.recent(5)).toHaveLength(0);
  });
});

describe('when ASR accepts a plan operation but the answer is lost', () => {
  it('follows the plan job it started instead of posting again, for the failover and for the commit', async () => {
    world.emulator.faults.add({
      match: { method: 'POST', path: /replicationRecoveryPlans\/[^/]+\/unplannedFailover/ },
      kind: 'drop-after-accept',
      times: 1,
    });
    world.emulator.faults.add({
      match: { method: 'POST', path: /replicationRecoveryPlans\/[^/]+\/failoverCommit/ },
      kind: 'drop-after-accept',
      times: 1,
    });
    const { view } = await openRequestModal(world);
    const shown = await choosePlan(world, view, S.plans.classic);
    await submitRequest(world, shown, { vms: [], plan: S.plans.classic });
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    expect(textOf(prompt)).toContain('3 of 3 VMs failed over');
    await commitAsApprover(world, prompt, card.ts);
    expect(world.emulator.operationPosts('failoverCommit')).toHaveLength(1);
    expect(world.emulator.item('app-01')?.stage).toBe('committed');
  });
});

describe('a modernized recovery plan', () => {
  it('fails back by one planned failover of the plan, commits as one, and reprotects each VM once its agent registered', async () => {
    const { view } = await openRequestModal(world);
    const shown = await choosePlan(world, view, S.plans.modernized);
    await submitRequest(world, shown, { vms: [], plan: S.plans.modernized, point: 'latest-app-consistent' });
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);
    expect(world.emulator.operationPosts('unplannedFailover')).toHaveLength(0);
    expect(itemPosts('plannedFailover')).toHaveLength(0);
    const planned = world.emulator.operationPosts('plannedFailover');
    expect(planned).toHaveLength(1);
    expect(planned[0]?.path).toMatch(planPath(S.plans.modernized, 'plannedFailover'));
    expect(planned[0]?.body).toEqual({
      properties: {
        failoverDirection: 'RecoveryToPrimary',
        providerSpecificDetails: [{ instanceType: 'InMageRcmFailback', recoveryPointType: 'ApplicationConsistent' }],
      },
    });

    await commitAsApprover(world, prompt, card.ts);
    const commits = world.emulator.operationPosts('failoverCommit');
    expect(commits.map((c) => c.path)).toEqual([expect.stringMatching(planPath(S.plans.modernized, 'failoverCommit'))]);
    const committedAt = commits[0]!.time.getTime();

    const { modal } = await reprotectWithDefaults(world, card.ts);
    expect(textOf(modal)).toMatch(/Replication appliance avs-appliance01/);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 60_000);
    const reprotects = world.emulator.operationPosts('reprotect');
    expect(reprotects).toHaveLength(2);
    for (const r of reprotects) {
      expect(r.path).toMatch(/replicationProtectedItems/i);
      expect(r.time.getTime() - committedAt).toBeGreaterThanOrEqual(1500);
      expect(r.body).toMatchObject({ properties: { providerSpecificDetails: { instanceType: 'InMageRcmFailback' } } });
    }
    expect(world.emulator.item('crm-01')?.provider).toBe('InMageRcm');
    expect(world.emulator.item('crm-02')?.provider).toBe('InMageRcm');
  });
});
