/**
 * `/failback readiness` and the App Home's readiness (issue #19): what can fail back now, its RPO and
 * replication health, what blocks the rest — for both ASR generations, from the same cached reads
 * as the request modal.
 */
import { Queue } from 'bullmq';
import { DIGEST_JOB, QUEUE } from '../../src/jobs/queues';
import { keyPrefix } from '../../src/store/keys';
import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  INCIDENT_CHANNEL,
  openHome,
  PEOPLE,
  SECOND_CHANNEL,
  type SandboxWorld,
  startSandboxWorld,
  textOf,
} from '@failback/sandbox';
import type { StoredMessage, StoredView } from '@failback/slack-standin';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await world?.stop();
  world = undefined;
});

let prefix = '';

async function start(options: { env?: Record<string, string>; extraVms?: number } = {}): Promise<SandboxWorld> {
  prefix = uniquePrefix('ready');
  world = await startSandboxWorld({
    redisUrl: testRedisUrl(),
    prefix,
    env: options.env,
    emulator: options.extraVms ? { extraVms: options.extraVms } : undefined,
  });
  bot = await world.startBot();
  return world;
}

/** Asks for readiness and returns the message the bot posts for it. */
async function askReadiness(w: SandboxWorld): Promise<StoredMessage> {
  const before = w.slack.messages(INCIDENT_CHANNEL).length;
  const reply = await w.slack.sendCommand({
    userId: PEOPLE.requester.id,
    channelId: INCIDENT_CHANNEL,
    text: 'readiness',
  });
  expect(reply.withinSlackTimeout).toBe(true);
  return w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[before], { message: 'the readiness message' });
}

/** The mrkdwn of each section of a message or view. */
const sections = (x: StoredMessage | StoredView): string[] =>
  blocksOf(x)
    .filter((b) => b.type === 'section')
    .map((b) => String((b.text as { text?: string } | undefined)?.text ?? ''));

/** The section of one VM or plan in a readiness message. */
function rowOf(message: StoredMessage, name: string): string {
  const row = sections(message).find((r) => r.includes(`*${name}*`));
  if (!row) throw new Error(`no row for ${name} in:\n${sections(message).join('\n')}`);
  return row;
}

describe('/failback readiness', () => {
  it('shows both generations worst first: blocked, at risk with ASR’s own words, ready with its RPO', async () => {
    const w = await start();
    w.emulator.setItemHealth('db-01', {
      replicationHealth: 'Critical',
      healthErrors: [
        { errorLevel: 'Error', errorCode: '78052', errorMessage: 'Data upload to Azure stalled <!channel>' },
      ],
    });
    w.emulator.setItemHealth('crm-02', { agentHeartbeatAgeMs: 3 * 60 * 60_000 });

    const first = await askReadiness(w);
    expect(textOf(first)).toContain('Failback readiness');
    expect(rowOf(first, 'file-01')).toMatch(/blocked/);
    expect(rowOf(first, 'db-01')).toMatch(
      /at risk[\s\S]*replication health Critical[\s\S]*ASR: Data upload to Azure stalled &lt;!channel&gt;/,
    );
    expect(textOf(first)).not.toContain('<!channel>');
    expect(rowOf(first, 'crm-02')).toMatch(/at risk[\s\S]*agent last heard 3 h 0 min ago/);
    // Classic: the RPO ASR computed for the item; the process server the failback replication uses.
    expect(rowOf(first, 'app-01')).toMatch(/ready · crash-consistent \d+ min[\s\S]*via azure-ps01 \(Normal/);
    // Modernized: the appliance that replicates it back.
    expect(rowOf(first, 'crm-01')).toMatch(/via avs-appliance01/);

    // The points not cached were read in the background (bounded): a later look shows them.
    const later = (await w.slack.waitFor(
      async () => {
        const m: StoredMessage = await askReadiness(w);
        return /has no recovery point/.test(rowOf(m, 'erp-01-nopoints')) && !/RPO not read yet/.test(rowOf(m, 'crm-01'))
          ? m
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, message: 'points read for the VMs the first look did not know' },
    )) as StoredMessage;
    expect(rowOf(later, 'crm-01')).toMatch(/ready · crash-consistent \d+ min · app-consistent \d+ min/);
    // Plans first, then VMs; each worst first: blocked, then at risk, then ready.
    const rows = sections(later).filter((r) => /^:(red|large_yellow|large_green)_circle:/.test(r));
    const rankOf = (r: string) => (r.startsWith(':red') ? 0 : r.startsWith(':large_yellow') ? 1 : 2);
    const plans = rows.filter((r) => / plan \*/.test(r.slice(0, 40))).map(rankOf);
    const vms = rows.filter((r) => !/ plan \*/.test(r.slice(0, 40))).map(rankOf);
    expect(plans.length).toBeGreaterThan(0);
    expect(rows.slice(0, plans.length).every((r) => / plan \*/.test(r.slice(0, 40)))).toBe(true);
    for (const rank of [plans, vms]) expect(rank).toEqual([...rank].sort((a, b) => a - b));
  });

  it('never reads ARM per VM per look: the vault’s lists are read once for a burst', async () => {
    const w = await start();
    await Promise.all(
      [1, 2, 3].map(() =>
        w.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL, text: 'readiness' }),
      ),
    );
    await w.slack.waitFor((s) => (s.messages(INCIDENT_CHANNEL).length === 3 ? true : undefined), {
      message: 'three readiness messages',
    });
    const reads = w.emulator.requests.all().filter((r) => r.method === 'GET');
    expect(reads.filter((r) => /\/replicationProtectedItems$/i.test(r.path))).toHaveLength(1);
    expect(reads.filter((r) => /\/replicationFabrics$/i.test(r.path))).toHaveLength(1);
    const itemGets = reads.filter((r) => /\/replicationProtectedItems\/[^/]+$/i.test(r.path));
    expect(itemGets).toHaveLength(0);
  });

  it('App Home shows the cached readiness (never reading ARM itself)', async () => {
    const w = await start();
    const empty = await openHome(w, PEOPLE.approver.id);
    expect(sections(empty).join('\n')).toMatch(/Readiness of [\s\S]*Not read lately/);
    w.emulator.setItemHealth('db-01', { replicationHealth: 'Critical' });
    await askReadiness(w);
    const armBefore = w.emulator.requests.all().length;
    const home = await openHome(w, PEOPLE.approver.id);
    const text = sections(home).join('\n');
    expect(text).toMatch(/VMs: \d+ ready, 1 at risk, \d+ blocked/);
    expect(text).toMatch(/\*db-01\* — at risk/);
    // What Home would have to read for readiness: the lists, items, fabrics or plans. (Reads still
    // under way in the background — the recovery points the readiness look started filling, the
    // start-up vault read on a busy machine — are not Home's.)
    const homeReads = w.emulator.requests
      .all()
      .slice(armBefore)
      .filter((r) => !/\/recoveryPoints|\/vaults\/[^/]+$/i.test(r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(homeReads).toEqual([]);
  });
});

describe('the daily readiness digest', () => {
  it('is scheduled at the configured time (UTC) and posts the vault’s readiness, the full table as a CSV in its thread', async () => {
    const w = await start({
      env: { FAILBACK_READINESS_DIGEST_CHANNEL: SECOND_CHANNEL, FAILBACK_READINESS_DIGEST_AT: '06:45' },
      extraVms: 30,
    });
    const queue = new Queue(QUEUE.steps, { connection: { url: w.redisUrl }, prefix: keyPrefix(prefix) });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: DIGEST_JOB, pattern: '45 6 * * *', tz: 'UTC' })]);
      // The schedule's time is hours away: its job is run now, as the scheduler would.
      await queue.add(DIGEST_JOB, {});
      const digest = await w.slack.waitFor((s) => s.messages(SECOND_CHANNEL)[0], {
        timeoutMs: 30_000,
        message: 'the digest in its channel',
      });
      expect(textOf(digest)).toContain('Failback readiness');
      expect(digest.text).toMatch(/^Daily digest — /);
      const csv = await w.slack.waitFor((s) =>
        [...s.files.values()].find((f) => f.threadTs === digest.ts && f.filename.endsWith('.csv') && f.bytes),
      );
      const rows = csv.bytes?.toString().trim().split('\n') ?? [];
      expect(rows[0]).toMatch(/^kind,name,vault,verdict,/);
      expect(rows.slice(1).every((r) => r.includes(',avs-dr-vault (westeurope),'))).toBe(true);
      expect(rows.length).toBeGreaterThan(30);
    } finally {
      await queue.close();
    }
  });
});
