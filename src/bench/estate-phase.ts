/**
 * The bench's estate phase (issue #18): many vaults in several subscriptions, runs in flight in
 * several at once, the watcher at the default poll and people opening the request form meanwhile.
 * ARM limits reads per subscription and principal, so the figures are reads per second per
 * subscription: the mean over the window and the busiest 10 s of any one subscription.
 */
import { defaultVault, estateOfVaults } from '@failback/asr-emulator';
import { openRequestModal, PEOPLE, type SandboxWorld, startSandboxWorld } from '@failback/sandbox';
import { log, requestVms, startBot } from './bench-bot';
import { maxPerWindow, pool, round } from './stats';

export interface EstateSizes {
  readonly vaults: number;
  readonly subscriptions: number;
  /** Runs in flight, one VM each, in as many vaults (spread over every subscription). */
  readonly estateRuns: number;
  /** How long the reads are counted, in polls of the default interval. */
  readonly estatePolls: number;
}

/** The watcher's default poll (ASR_POLL_INTERVAL_SECONDS), which this phase keeps. */
const DEFAULT_POLL_SECONDS = 15;
/** ARM's documented read limit per subscription and principal: 12,000 an hour. */
export const ARM_READS_PER_SECOND_PER_SUBSCRIPTION = 12_000 / 3600;
/** A person opens the request form this often during the window (it reads every vault's lists). */
const FORM_EVERY_MS = 2_000;

const SUBSCRIPTION_OF = /^\/subscriptions\/([^/]+)\//i;

export async function estatePhase(sizes: EstateSizes): Promise<Record<string, number>> {
  const vaults = estateOfVaults(defaultVault(Date.now()), {
    count: sizes.vaults,
    subscriptions: sizes.subscriptions,
    vmsPerVault: 2,
  });
  // Jobs that outlast the phase: every run stays in flight while the reads are counted.
  const world = await startSandboxWorld({
    emulator: { vaults, taskMs: 30 * 60_000 },
    env: { ASR_POLL_INTERVAL_SECONDS: String(DEFAULT_POLL_SECONDS) },
  });
  const bot = await startBot(world);
  try {
    log(`estate: ${sizes.vaults} vaults in ${sizes.subscriptions} subscriptions, ${sizes.estateRuns} runs in flight`);
    const firstVms = vaults.slice(0, sizes.estateRuns).map((v) => v.items[0]!.friendlyName);
    await pool(
      firstVms.map((vm) => () => requestVms(world, [vm])),
      4,
    );
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length >= firstVms.length, {
      timeoutMs: 300_000,
      message: 'every failover issued',
    });
    // Settle one poll, then count over whole polls with the form opened meanwhile.
    await new Promise((r) => setTimeout(r, DEFAULT_POLL_SECONDS * 1000));
    const from = world.emulator.requests.all().length;
    const t0 = Date.now();
    const windowMs = sizes.estatePolls * DEFAULT_POLL_SECONDS * 1000;
    const forms = await openFormsUntil(world, t0 + windowMs);
    const seconds = (Date.now() - t0) / 1000;
    const reads = world.emulator.requests
      .all()
      .slice(from)
      .filter((r) => r.method === 'GET')
      .map((r) => ({ key: SUBSCRIPTION_OF.exec(r.path)?.[1]?.toLowerCase() ?? '-', time: r.time.getTime() }))
      .filter((r) => r.key !== '-');
    log(`estate: reads by kind: ${readsByKind(world.emulator.requests.all().slice(from))}`);
    const perSubscription = new Map<string, number>();
    for (const r of reads) perSubscription.set(r.key, (perSubscription.get(r.key) ?? 0) + 1);
    const counts = [...perSubscription.values()];
    return {
      'arm.estate.vaults': sizes.vaults,
      'arm.estate.subscriptions': perSubscription.size,
      'arm.estate.runsInFlight': firstVms.length,
      'arm.estate.formsOpened': forms,
      'arm.estate.readsPerSecondPerSubscription.mean': round(
        counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length) / seconds,
        2,
      ),
      'arm.estate.readsPerSecondPerSubscription.max': round(Math.max(0, ...counts) / seconds, 2),
      'arm.estate.readsPerSecondPerSubscription.busiest10s': round(maxPerWindow(reads, 10_000) / 10, 2),
    };
  } finally {
    await bot.stop();
    await world.stop();
  }
}

/** Opens the request form every {@link FORM_EVERY_MS} until `until`, waits for each to fill, closes it. */
async function openFormsUntil(world: SandboxWorld, until: number): Promise<number> {
  const user = PEOPLE.requester.id;
  let opened = 0;
  while (Date.now() < until) {
    const next = Date.now() + FORM_EVERY_MS;
    const { view } = await openRequestModal(world);
    await world.slack.closeView({ userId: user, viewId: view.id });
    opened++;
    const wait = Math.min(next, until) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return opened;
}

/** "replicationProtectedItems 40, replicationJobs 12, …": the GETs of a window by the type they read. */
function readsByKind(requests: readonly { method: string; path: string }[]): string {
  const kinds = new Map<string, number>();
  for (const r of requests.filter((q) => q.method === 'GET')) {
    const segments = r.path.split('?')[0]!.split('/').filter(Boolean);
    // A collection read ends with its type; a resource read with a name after its type.
    const kind = segments.length % 2 === 1 ? segments.at(-1)! : `${segments.at(-2)!}/{name}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
