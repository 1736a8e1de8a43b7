/**
 * The bench's bot and its people: the bot started as production runs it (a web and a worker
 * process, built) on a sandbox world, and a requester acting in Slack by VM name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ACTION, BLOCK } from '../bot/ids';
import { optionKey } from '../bot/views';
import {
  blocksOf,
  type BotProcess,
  openRequestModal,
  PEOPLE,
  productRoot,
  type SandboxWorld,
  startBotProcess,
} from '@failback/sandbox';

export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** One role of the bot (`web` or `worker`) as a built process on the world's Redis. */
export function startRole(
  world: SandboxWorld,
  role: 'web' | 'worker',
  execArgv: readonly string[] = [],
): Promise<BotProcess> {
  const level = process.env.BENCH_LOG_LEVEL ?? 'error';
  const nodeOptions = role === 'web' ? webNodeOptions() : undefined;
  return startBotProcess(
    { ...world.env, FAILBACK_ROLE: role, LOG_LEVEL: level, ...(nodeOptions && { NODE_OPTIONS: nodeOptions }) },
    undefined,
    'main.js',
    { execArgv },
  );
}

/** NODE_OPTIONS of the web Deployment in deploy/kubernetes: the bench runs the web role as deployed. */
export function webNodeOptions(): string | undefined {
  const manifest = readFileSync(join(productRoot(), 'deploy', 'kubernetes', 'failback-bot.yaml'), 'utf8');
  for (const doc of parseAllDocuments(manifest)) {
    const d = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
    };
    const env = d.kind === 'Deployment' ? (d.spec?.template?.spec?.containers?.[0]?.env ?? []) : [];
    if (env.some((e) => e.name === 'FAILBACK_ROLE' && e.value === 'web'))
      return env.find((e) => e.name === 'NODE_OPTIONS')?.value;
  }
  return undefined;
}

/** The bot as production runs it: a web process and a worker process on the world's Redis. */
export async function startBot(
  world: SandboxWorld,
  webExecArgv: readonly string[] = [],
): Promise<{ web: BotProcess; worker: BotProcess; stop(): Promise<void> }> {
  const worker = await startRole(world, 'worker');
  const web = await startRole(world, 'web', webExecArgv);
  if (process.env.BENCH_LOG_LEVEL)
    process.on('exit', () =>
      process.stderr.write(
        `--- web ---\n${web.output().slice(-20000)}\n--- worker ---\n${worker.output().slice(-5000)}\n`,
      ),
    );
  world.slack.botUrl = eventsUrl(web);
  return {
    web,
    worker,
    async stop() {
      await web.kill('SIGTERM');
      await worker.kill('SIGTERM');
    },
  };
}

export const eventsUrl = (p: BotProcess) => `http://127.0.0.1:${p.port}/slack/events`;

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
export async function requestVms(world: SandboxWorld, names: readonly string[], again = true): Promise<void> {
  const ids = new Map(world.emulator.items().map((i) => [i.friendlyName, i.id]));
  const user = PEOPLE.requester.id;
  // One person opens one modal at a time: concurrent requests must not pick up each other's modal.
  const { view } = await serially(() => openRequestModal(world));
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

/** ARM GETs the emulator has answered so far, in every vault. */
export const armGets = (world: SandboxWorld) => world.emulator.requests.all().filter((r) => r.method === 'GET').length;
