import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  openRequestModal,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld;
let bot: Runtime;

afterEach(async () => {
  await bot.stop();
  await world.stop();
});

describe('the vault-wide ASR job watcher with more running jobs than ASR_JOB_READS_PER_POLL', () => {
  it('lists the vault’s jobs once per poll and reads only the ended ones plus one running job in turn', async () => {
    world = await startSandboxWorld({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('watch'),
      emulator: { taskMs: 400 },
      env: { ASR_JOB_READS_PER_POLL: '1' },
    });
    bot = await world.startBot();
    const vms = ['app-01', 'db-01', 'web-01', 'crm-01'];
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, vms);
    await submitRequest(world, shown, { vms });
    const { card, prompt } = await waitForCommitPrompt(world, 30_000);
    expect(textOf(prompt)).toContain('4 of 4 VMs failed over');

    const reads = world.emulator.requests
      .all()
      .filter((r) => r.method === 'GET' && /\/replicationJobs(\/|$)/i.test(r.path));
    const lists = reads.filter((r) => /\/replicationJobs$/i.test(r.path));
    const gets = reads.filter((r) => /\/replicationJobs\/[^/]+$/i.test(r.path));
    expect(lists.length).toBeGreaterThan(0);
    // Azure PowerShell's filter (recorded): StartTime, capitalised, 7 fractional digits.
    expect(
      lists.every((r) => /^StartTime eq '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z'$/.test(r.query.$filter ?? '')),
    ).toBe(true);
    // Each poll reads at most one running job; each of the 4 jobs is read once more when it has ended.
    expect(gets.length).toBeLessThanOrEqual(lists.length + vms.length);
    // Progress still reached the card from the jobs read in turn.
    const versions = [...world.slack.message('C0INCIDENT', card.ts)!.history.map((h) => JSON.stringify(h.blocks))];
    expect(versions.some((v) => /failover running — [^(]+\(\d\/5\)/.test(v))).toBe(true);
  });
});
