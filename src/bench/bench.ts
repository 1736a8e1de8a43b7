/**
 * `npm run bench`: measures the bot against Slack's and ARM's limits, on loopback only — its own
 * redis-server, the sandbox ASR emulator and the Slack stand-in; the bot runs as the built
 * processes production runs (one `web`, one `worker`). Prints a table; `--json FILE` writes the
 * figures. Sizes: `--acks --concurrency --modal-samples --runs --vms --poll --cycles`, or `--small`.
 *
 * Goals are reported next to each figure, never asserted: this is not a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import { ACTION, BLOCK, CALLBACK } from '../bot/ids';
import { optionKey } from '../bot/views';
import {
  blocksOf,
  type BotProcess,
  findAction,
  INCIDENT_CHANNEL,
  PEOPLE,
  type SandboxWorld,
  startBotProcess,
  startSandboxWorld,
  textOf,
} from '@failback/sandbox';
import type { JsonObject, StoredMessage } from '@failback/slack-standin';
import { maxPerWindow, percentile, pool, round } from './stats';

interface Sizes {
  acks: number;
  concurrency: number;
  modalSamples: number;
  runs: number;
  vms: number;
  pollSeconds: number;
  cycles: number;
}

const FULL: Sizes = { acks: 2000, concurrency: 50, modalSamples: 30, runs: 100, vms: 10, pollSeconds: 15, cycles: 20 };
const SMALL: Sizes = { acks: 200, concurrency: 20, modalSamples: 10, runs: 4, vms: 3, pollSeconds: 2, cycles: 4 };

function parseArgs(argv: readonly string[]): { sizes: Sizes; json?: string } {
  const sizes = { ...(argv.includes('--small') ? SMALL : FULL) };
  let json: string | undefined;
  const flags: Record<string, keyof Sizes> = {
    '--acks': 'acks',
    '--concurrency': 'concurrency',
    '--modal-samples': 'modalSamples',
    '--runs': 'runs',
    '--vms': 'vms',
    '--poll': 'pollSeconds',
    '--cycles': 'cycles',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') json = argv[++i];
    else if (flags[a]) {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} needs a positive number`);
      sizes[flags[a]] = n;
    } else if (a !== '--small') throw new Error(`unknown option ${a}`);
  }
  return { sizes, json };
}

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The bot as production runs it: a web process and a worker process on the world's Redis. */
async function startBot(world: SandboxWorld): Promise<{ web: BotProcess; worker: BotProcess; stop(): Promise<void> }> {
  const level = process.env.BENCH_LOG_LEVEL ?? 'error';
  const worker = await startBotProcess({ ...world.env, FAILBACK_ROLE: 'worker', LOG_LEVEL: level });
  const web = await startBotProcess({ ...world.env, FAILBACK_ROLE: 'web', LOG_LEVEL: level });
  if (process.env.BENCH_LOG_LEVEL)
    process.on('exit', () =>
      process.stderr.write(
        `--- web ---\n${web.output().slice(-20000)}\n--- worker ---\n${worker.output().slice(-5000)}\n`,
      ),
    );
  world.slack.botUrl = `http://127.0.0.1:${web.port}/slack/events`;
  return {
    web,
    worker,
    async stop() {
      await web.kill('SIGTERM');
      await worker.kill('SIGTERM');
    },
  };
}

async function sendCommands(world: SandboxWorld, n: number, concurrency: number): Promise<number[]> {
  const tasks = Array.from({ length: n }, () => async () => {
    const reply = await world.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL, text: '' });
    return reply.status === 200 ? reply.elapsedMs : Number.POSITIVE_INFINITY;
  });
  return pool(tasks, concurrency);
}

// ---- phase 1: acks and the modal ------------------------------------------------------------------

async function ackPhase(sizes: Sizes) {
  const world = await startSandboxWorld();
  const bot = await startBot(world);
  const bare = await startBotProcess(world.env, undefined, 'bench/bare-bolt.js');
  try {
    const botUrl = world.slack.botUrl;
    log(`acks: ${sizes.acks} signed /failback at ${sizes.concurrency} concurrent, bot then bare Bolt`);
    await sendCommands(world, Math.min(100, sizes.acks), sizes.concurrency); // warm-up
    const botAcks = await sendCommands(world, sizes.acks, sizes.concurrency);
    world.slack.botUrl = `http://127.0.0.1:${bare.port}/slack/events`;
    await sendCommands(world, Math.min(100, sizes.acks), sizes.concurrency);
    const bareAcks = await sendCommands(world, sizes.acks, sizes.concurrency);
    world.slack.botUrl = botUrl;

    log(`modal: ${sizes.modalSamples} commands with ARM answering in 2 s`);
    // Let the ack phase's modals finish filling: no Slack call for a second.
    await world.slack.waitFor(() => Date.now() - (world.slack.calls.at(-1)?.time ?? 0) > 1000, {
      timeoutMs: 300_000,
      message: 'ack phase settled',
    });
    const notOpened = world.slack.callsTo('views.open').filter((c) => c.response.ok !== true).length;
    world.emulator.settings.latencyMs = 2000;
    const modal: number[] = [];
    for (let i = 0; i < sizes.modalSamples; i++) {
      const before = world.slack.callsTo('views.open').length;
      const sent = Date.now();
      await world.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL });
      const call = await world.slack.waitFor(() => world.slack.callsTo('views.open')[before], {
        timeoutMs: 10_000,
        message: 'views.open',
      });
      modal.push(call.time - sent);
    }
    return {
      'ack.p50Ms': round(percentile(botAcks, 50)),
      'ack.p99Ms': round(percentile(botAcks, 99)),
      'ack.bareBoltP99Ms': round(percentile(bareAcks, 99)),
      'ack.p99Ratio': round(percentile(botAcks, 99) / percentile(bareAcks, 99), 2),
      'ack.over3s': botAcks.filter((ms) => ms > 3000).length,
      'ack.modalsNotOpened': notOpened,
      'modalOpen.p99Ms': round(percentile(modal, 99)),
    };
  } finally {
    await bare.kill('SIGTERM');
    await bot.stop();
    await world.stop();
  }
}

// ---- helpers acting in Slack by VM name (many runs in one channel) ----------------------------------

let queue: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * Opens /failback, picks `names` (the bot reads their points) and submits. Like a person, it picks
 * again once when the bot says a VM's points could not be read yet.
 */
async function requestVms(world: SandboxWorld, names: readonly string[], again = true): Promise<void> {
  const ids = new Map(world.emulator.items().map((i) => [i.friendlyName, i.id]));
  const user = PEOPLE.requester.id;
  // One person opens one modal at a time: concurrent requests must not pick up each other's modal.
  const view = await serially(async () => {
    const before = new Set(world.slack.openViews(user).map((v) => v.id));
    await world.slack.sendCommand({ userId: user, channelId: INCIDENT_CHANNEL });
    return world.slack.waitFor(
      (s) =>
        s
          .openViews(user)
          .find(
            (v) => !before.has(v.id) && v.view.callback_id === CALLBACK.request && findAction(blocksOf(v), ACTION.vms),
          ),
      { timeoutMs: 60_000, message: 'request modal filled' },
    );
  });
  const picks = names.map((n) => ({ value: optionKey(ids.get(n) ?? ''), text: n }));
  await world.slack.chooseOption({ viewId: view.id, userId: user, actionId: ACTION.vms, pick: picks });
  await world.slack.waitFor((s) => blocksOf(s.views.get(view.id)!).some((b) => b.block_id === BLOCK.rpo), {
    timeoutMs: 60_000,
    message: 'RPO shown',
  });
  const reply = await world.slack.submitView({
    userId: user,
    viewId: view.id,
    values: {
      [BLOCK.vms]: { [ACTION.vms]: picks },
      [BLOCK.incident]: { [ACTION.incident]: 'INC-BENCH' },
      [BLOCK.reason]: { [ACTION.reason]: 'benchmark' },
    },
  });
  if (reply.responseAction === 'clear') return;
  const refusal = JSON.stringify(reply.errors ?? reply.body);
  if (again && /not been checked for recovery points/.test(refusal)) {
    log(`retrying a request: ${refusal}`);
    await world.slack.closeView({ userId: user, viewId: view.id });
    return requestVms(world, names, false);
  }
  throw new Error(`request for ${names.join(', ')} refused: ${refusal}`);
}

function cardFor(world: SandboxWorld, vm: string): StoredMessage | undefined {
  const target = new RegExp(`\\*Target\\*\\\\n${vm}\\b`);
  return world.slack.messages(INCIDENT_CHANNEL).find((m) => target.test(textOf(m)));
}

/** One whole single-VM cycle as the people do it: request, commit, reprotect, until Done. */
async function cycle(world: SandboxWorld, vm: string): Promise<{ runId: string }> {
  await requestVms(world, [vm]);
  const card = await world.slack.waitFor(() => cardFor(world, vm), { timeoutMs: 60_000, message: `card of ${vm}` });
  const runId = /Failback (FB-\d+)/.exec(textOf(card))?.[1] ?? '';
  const prompt = await world.slack.waitFor(
    (s) => s.thread(INCIDENT_CHANNEL, card.ts).find((m) => findAction(m.blocks, ACTION.commit)),
    { timeoutMs: 120_000, message: `commit prompt of ${vm}` },
  );
  const approver = PEOPLE.approver.id;
  await world.slack.clickButton({
    userId: approver,
    channelId: INCIDENT_CHANNEL,
    messageTs: prompt.ts,
    actionId: ACTION.commit,
  });
  const confirm = await world.slack.waitFor(
    (s) =>
      s
        .openViews(approver)
        .find((v) => v.view.callback_id === CALLBACK.confirmCommit && v.view.private_metadata === runId),
    { timeoutMs: 30_000, message: `commit confirmation of ${runId}` },
  );
  await world.slack.submitView({ userId: approver, viewId: confirm.id });
  await world.slack.waitFor((s) => findAction(s.message(INCIDENT_CHANNEL, card.ts)?.blocks ?? [], ACTION.reprotect), {
    timeoutMs: 120_000,
    message: `reprotect offered for ${runId}`,
  });
  await world.slack.clickButton({
    userId: approver,
    channelId: INCIDENT_CHANNEL,
    messageTs: card.ts,
    actionId: ACTION.reprotect,
  });
  const modal = await world.slack.waitFor(
    (s) =>
      s
        .openViews(approver)
        .find(
          (v) =>
            v.view.private_metadata === runId &&
            v.view.callback_id === CALLBACK.reprotect &&
            v.view.submit !== undefined,
        ),
    { timeoutMs: 60_000, message: `reprotect modal of ${runId}` },
  );
  await world.slack.submitView({ userId: approver, viewId: modal.id });
  await world.slack.waitFor(
    (s) => /Done — protected to Azure again/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts)!)),
    {
      timeoutMs: 180_000,
      message: `${runId} done (card: ${textOf(world.slack.message(INCIDENT_CHANNEL, card.ts)!).slice(0, 600)})`,
    },
  );
  return { runId };
}

const GET_COUNT = (world: SandboxWorld) => world.emulator.requests.all().filter((r) => r.method === 'GET').length;

/** Waits until no card or step job is waiting or delayed (a finished run leaves nothing queued). */
async function queuesDrained(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const pending = async () => {
      let n = 0;
      for (const q of ['fb-slack', 'fb-steps'])
        n +=
          (await redis.zcard(`fb:${q}:delayed`)) +
          (await redis.llen(`fb:${q}:wait`)) +
          (await redis.llen(`fb:${q}:active`));
      return n;
    };
    const deadline = Date.now() + 30_000;
    while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    redis.disconnect();
  }
}

async function redisUsedMemory(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

/**
 * What a finished run keeps in Redis: every key named after it (the run, its audit trail, message
 * bookkeeping), except the short-lived facts caches of its modals (minutes of TTL).
 */
async function keptBytes(redis: Redis, runId: string): Promise<number> {
  let bytes = 0;
  for (const key of await redis.keys(`fb:*${runId}*`)) {
    if (key.startsWith('fb:facts:') || !new RegExp(`${runId}(\\D|$)`).test(key)) continue;
    bytes += Number((await redis.memory('USAGE', key)) ?? 0);
  }
  return bytes;
}

/** Where Redis memory goes, by key shape (set BENCH_REDIS_KEYS=1). */
async function printKeyGroups(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    const groups = new Map<string, number>();
    for (const key of await redis.keys('*')) {
      const shape = key
        .replace(/FB-\d+/g, 'FB-n')
        .replace(/[0-9a-f-]{36}/g, '<id>')
        .replace(/:\d+(?=:|$)/g, ':<n>');
      groups.set(shape, (groups.get(shape) ?? 0) + Number((await redis.memory('USAGE', key)) ?? 0));
    }
    for (const [shape, bytes] of [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
      log(`${String(bytes).padStart(9)}  ${shape}`);
  } finally {
    redis.disconnect();
  }
}

function cardUpdates(world: SandboxWorld): { key: string; time: number }[] {
  return world.slack.callsTo('chat.update').map((c) => ({ key: String(c.args.ts), time: c.time }));
}

// ---- phase 2: many runs in flight ------------------------------------------------------------------

async function scalePhase(sizes: Sizes) {
  const total = sizes.runs * sizes.vms;
  // Jobs that outlast the phase: the measurement sees every run in flight.
  const world = await startSandboxWorld({
    emulator: { extraVms: total, taskMs: 30 * 60_000 },
    env: { ASR_POLL_INTERVAL_SECONDS: String(sizes.pollSeconds) },
  });
  const bot = await startBot(world);
  try {
    log(`scale: ${sizes.runs} runs × ${sizes.vms} VMs, poll ${sizes.pollSeconds} s`);
    const names = world.emulator
      .items()
      .filter((i) => /^vm-\d+$/.test(i.friendlyName))
      .map((i) => i.friendlyName);
    const groups = Array.from({ length: sizes.runs }, (_, r) => names.slice(r * sizes.vms, (r + 1) * sizes.vms));
    await pool(
      groups.map((g) => () => requestVms(world, g)),
      4,
    );
    await world.slack.waitFor(() => world.emulator.operationPosts('unplannedFailover').length >= total, {
      timeoutMs: 600_000,
      message: 'every failover issued',
    });
    // Settle one poll, then count ARM reads over two polls: the watcher's steady state.
    await new Promise((r) => setTimeout(r, sizes.pollSeconds * 1000));
    const start = GET_COUNT(world);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 2 * sizes.pollSeconds * 1000));
    const reads = GET_COUNT(world) - start;
    const seconds = (Date.now() - t0) / 1000;
    return {
      [`arm.readsPerSecond.at${sizes.runs}x${sizes.vms}`]: round(reads / seconds, 2),
      [`memory.workerRssMb.at${sizes.runs}x${sizes.vms}`]: round(bot.worker.rssMb()),
      [`memory.webRssMb.at${sizes.runs}x${sizes.vms}`]: round(bot.web.rssMb()),
      updates: cardUpdates(world),
    };
  } finally {
    await bot.stop();
    await world.stop();
  }
}

// ---- phase 3: whole cycles ------------------------------------------------------------------------

async function cyclePhase(sizes: Sizes) {
  const world = await startSandboxWorld({
    emulator: { extraVms: sizes.cycles, taskMs: 50, retryAfterSeconds: 1 },
    env: { ASR_POLL_INTERVAL_SECONDS: '1', REPROTECT_RETRY_INTERVAL_SECONDS: '1' },
  });
  const bot = await startBot(world);
  try {
    log(`cycles: ${sizes.cycles} single-VM cycles at once (failover, commit, reprotect), zero-latency ARM, poll 1 s`);
    const vms = world.emulator
      .items()
      .filter((i) => /^vm-\d+$/.test(i.friendlyName))
      .map((i) => i.friendlyName);
    const memBefore = await redisUsedMemory(world.redisUrl);
    const t0 = Date.now();
    const runs = await Promise.all(vms.map((vm) => cycle(world, vm)));
    const minutes = (Date.now() - t0) / 60_000;
    await queuesDrained(world.redisUrl);
    const memAfter = await redisUsedMemory(world.redisUrl);
    if (process.env.BENCH_REDIS_KEYS) await printKeyGroups(world.redisUrl);

    const first = world.emulator.item(vms[0] ?? '')!;
    const writes = world.emulator.operationPosts().filter((p) => p.path.includes(first.name)).length;
    // ASR job finished → verification prompt posted.
    const prompts = world.slack
      .callsTo('chat.postMessage')
      .filter((c) => metadataOf(c.args)?.event_type === 'failback_verification');
    const jobs = world.emulator.jobs() as {
      properties: { scenarioName: string; targetObjectName: string; endTime?: string };
    }[];
    const promptMs: number[] = [];
    const recordMs: number[] = [];
    const redis = new Redis(world.redisUrl);
    const footprint: number[] = [];
    try {
      for (const [i, { runId }] of runs.entries()) {
        const end = jobs.find(
          (j) => j.properties.scenarioName === 'UnplannedFailover' && j.properties.targetObjectName === vms[i],
        )?.properties.endTime;
        const posted = prompts.find((c) => metadataOf(c.args)?.event_payload?.run_id === runId)?.time;
        if (end && posted) promptMs.push(posted - Date.parse(end));
        // When the watcher recorded the end (the rest is the Slack side).
        const trail = await redis.xrange(`fb:trail:${runId}`, '-', '+');
        const recorded = trail
          .map(([, f]) => JSON.parse(f[1] ?? '{}') as { at: string; what: string })
          .find((e) => e.what === 'failover succeeded');
        if (end && recorded) recordMs.push(Date.parse(recorded.at) - Date.parse(end));
        footprint.push(await keptBytes(redis, runId));
      }
    } finally {
      redis.disconnect();
    }
    return {
      'prompt.p99Ms': round(percentile(promptMs, 99)),
      'prompt.p50Ms': round(percentile(promptMs, 50)),
      'prompt.recordedP99Ms': round(percentile(recordMs, 99)),
      'prompt.pollMs': 1000,
      'arm.writesPerRun.oneVm': writes,
      'redis.bytesPerFinishedRun': Math.round(footprint.reduce((a, b) => a + b, 0) / footprint.length),
      'redis.usedMemoryDeltaPerRun': Math.round((memAfter - memBefore) / sizes.cycles),
      'throughput.cyclesPerMinute': round(sizes.cycles / minutes, 1),
      updates: cardUpdates(world),
    };
  } finally {
    await bot.stop();
    await world.stop();
  }
}

function metadataOf(args: JsonObject): { event_type?: string; event_payload?: { run_id?: string } } | undefined {
  const m = args.metadata;
  if (typeof m === 'string') {
    try {
      return JSON.parse(m) as never;
    } catch {
      return undefined;
    }
  }
  return m as never;
}

// ---- report -----------------------------------------------------------------------------------------

const GOALS: Record<string, string> = {
  'ack.p99Ratio': '≤ 1.5',
  'ack.over3s': '= 0',
  'modalOpen.p99Ms': '≤ 150',
  'prompt.p99Ms': '≤ poll + 250 (1250)',
  'arm.readsPerSecond.at100x10': '≤ 2',
  'arm.writesPerRun.oneVm': '= 3',
  'memory.workerRssMb.at100x10': '≤ 256',
  'redis.bytesPerFinishedRun': '≤ 20000',
  'prompt.recordedP99Ms': 'part of prompt.p99Ms',
  'slack.updatesPerCardPerMinute.max': '≤ 20',
};

async function main(): Promise<void> {
  const { sizes, json } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const only = process.env.BENCH_PHASES?.split(',');
  const want = (phase: string) => !only || only.includes(phase);
  const acks = want('ack') ? await ackPhase(sizes) : {};
  const { updates: scaleUpdates, ...scale } = want('scale') ? await scalePhase(sizes) : { updates: [] };
  const { updates: cycleUpdates, ...cycles } = want('cycles') ? await cyclePhase(sizes) : { updates: [] };
  const figures: Record<string, number> = {
    ...acks,
    ...scale,
    ...cycles,
    'slack.updatesPerCardPerMinute.max': maxPerWindow([...scaleUpdates, ...cycleUpdates], 60_000),
  };
  const machine = {
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    cpus: (await import('node:os')).cpus().length,
  };
  const report = { sizes, machine, seconds: Math.round((Date.now() - started) / 1000), figures };
  const rows = Object.entries(figures).map(([k, v]) => `${k.padEnd(38)} ${String(v).padStart(10)}   ${GOALS[k] ?? ''}`);
  process.stdout.write(
    `\nfailback-bot benchmark (${JSON.stringify(sizes)})\n${'figure'.padEnd(38)} ${'value'.padStart(10)}   goal\n${rows.join('\n')}\n`,
  );
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${json}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
