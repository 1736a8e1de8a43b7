/**
 * The ack rounds: signed `/failback` commands sent by the load generator (its own process, its own
 * clock) to one app, and what became of their trigger_ids on the Slack stand-in (this process).
 */
import { fork } from 'node:child_process';
import { builtScript, INCIDENT_CHANNEL, PEOPLE, type SandboxWorld } from '@failback/sandbox';
import type { LoadReply, LoadRequest, SentCommand } from './load';
import { percentile, round } from './stats';

/** The load generator, a child process: sends and times commands, one batch at a time. */
export interface LoadGenerator {
  send(url: string, count: number, concurrency: number): Promise<SentCommand[]>;
  stop(): Promise<void>;
}

/** Starts `bench/load.js` (built with the sandbox) with an IPC channel. */
export function startLoadGenerator(world: SandboxWorld): LoadGenerator {
  const child = fork(builtScript('bench/load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ws = world.slack.state;
  const user = PEOPLE.requester.id;
  // The form of a person's /failback, as the stand-in's sendCommand builds it (slack-side.ts).
  const fields: Record<string, string> = {
    token: 'stand-in-verification-token',
    team_id: ws.identity.teamId,
    team_domain: ws.identity.teamDomain,
    channel_id: INCIDENT_CHANNEL,
    channel_name: ws.channelName(INCIDENT_CHANNEL),
    user_id: user,
    user_name: ws.userName(user),
    command: '/failback',
    text: '',
    api_app_id: ws.identity.appId,
    is_enterprise_install: 'false',
  };
  let next = 0;
  return {
    send(url, count, concurrency) {
      const id = (next += 1);
      const ask: LoadRequest = {
        type: 'send',
        id,
        url,
        count,
        concurrency,
        signingSecret: world.env.SLACK_SIGNING_SECRET ?? '',
        standInUrl: world.slack.baseUrl,
        fields,
      };
      return new Promise<SentCommand[]>((resolve, reject) => {
        const onMessage = (m: LoadReply) => {
          if (m.id !== id) return;
          child.off('message', onMessage);
          resolve(m.commands);
        };
        child.on('message', onMessage);
        void exited.then((code) => reject(new Error(`the load generator exited (${code}) during a round`)));
        child.send(ask);
      });
    },
    async stop() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** µs on the monotonic clock, as V8's CPU profiles stamp their samples. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Waits until the stand-in has had no Web API call for `ms` (the apps' follow-up calls are done). */
export async function slackQuiet(world: SandboxWorld, ms = 500): Promise<void> {
  await world.slack.waitFor(() => Date.now() - (world.slack.calls.at(-1)?.time ?? 0) >= ms, {
    timeoutMs: 120_000,
    intervalMs: 50,
    message: 'the apps stopped calling Slack',
  });
}

/** One round against one app. Latencies are the load generator's. */
export interface AckRound {
  readonly app: 'bot' | 'bare';
  readonly sent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers slower than Slack's 3 s, or not a 200 (Slack shows the person an error either way). */
  readonly over3s: number;
  /** Of those, no 200 at all. */
  readonly failed: number;
  /** Commands whose trigger_id opened a modal (views.open ok). */
  readonly modalsOpened: number;
  /** Commands whose trigger_id never opened one. */
  readonly modalsLost: number;
  /** Slack Web API calls the app made during the round, by method (views.open, views.update, …). */
  readonly slackCalls: Readonly<Record<string, number>>;
  /** Their arguments as JSON, in bytes (the views the app sent, mostly). */
  readonly slackArgBytes: number;
  /** ARM requests the app made during the round (the bot reads the vault for the modals it fills). */
  readonly armRequests: number;
  /** Why views.open refused these triggers (`expired_trigger_id`: …). */
  readonly refusals: Readonly<Record<string, number>>;
  /** The app's resident set size at the end of the round (MiB). */
  readonly rssMb: number;
  /** The round's span on the monotonic clock (µs), from sending to the apps' last Slack call. */
  readonly fromUs: number;
  readonly toUs: number;
  /**
   * CPU time of this process (the Slack stand-in answering the app's Web API calls, and the bench)
   * per command of the round, in ms: the share of the two cores Slack's side takes from the app here.
   */
  readonly standInCpuMsPerCommand: number;
  /** Every command's ack latency (ms; a non-200 counts as never), for percentiles over all rounds. */
  readonly latenciesMs: readonly number[];
  /**
   * Acks slower than SLOW_ACK_MS, by whether the command opened its connection (each sender's first)
   * or reused one: Node accepts one connection per event-loop turn (libuv/libuv#3696), so a burst's
   * last connections wait while the accepted ones are served.
   */
  readonly slowAcks: { readonly onNewConnection: number; readonly onReusedConnection: number };
}

export const SLOW_ACK_MS = 100;

const TRIGGER_LIFE_MS = 3_000;

/** The Web API calls since `index`: how many of each method, and the size of their arguments. */
function slackCallsSince(world: SandboxWorld, index: number) {
  const slackCalls: Record<string, number> = {};
  let slackArgBytes = 0;
  for (const call of world.slack.calls.slice(index)) {
    slackCalls[call.method] = (slackCalls[call.method] ?? 0) + 1;
    slackArgBytes += Buffer.byteLength(JSON.stringify(call.args));
  }
  return { slackCalls, slackArgBytes };
}

/** Waits until every command's trigger has opened its modal or outlived its 3 s; what became of them. */
async function modalsOf(world: SandboxWorld, commands: readonly SentCommand[], callsBefore: number, app: string) {
  const triggers = new Set(commands.map((c) => c.triggerId));
  const opened = new Set<string>();
  const refusals: Record<string, number> = {};
  const lastIssued = commands.reduce((max, c) => Math.max(max, c.issuedAt), 0);
  // A call still in flight at the trigger's end is answered at once by the stand-in: a short margin.
  const settled = lastIssued + TRIGGER_LIFE_MS + 500;
  let seen = callsBefore;
  await world.slack.waitFor(
    () => {
      const calls = world.slack.calls;
      for (; seen < calls.length; seen++) {
        const call = calls[seen]!;
        const trigger = String(call.args.trigger_id ?? '');
        if (call.method !== 'views.open' || !triggers.has(trigger)) continue;
        if (call.response.ok === true) opened.add(trigger);
        else {
          const error = String(call.response.error ?? call.httpStatus);
          refusals[error] = (refusals[error] ?? 0) + 1;
        }
      }
      return opened.size >= triggers.size || world.slack.now() > settled;
    },
    { timeoutMs: 60_000, intervalMs: 50, message: `the ${app}'s modals opened or expired` },
  );
  return { opened: opened.size, refusals };
}

/**
 * Sends `count` commands at `concurrency` to `url`, then waits until every trigger has opened its
 * modal or outlived its 3 s (a later views.open is refused: the modal is lost), and until the app has
 * stopped calling Slack.
 */
export async function ackRound(
  world: SandboxWorld,
  load: LoadGenerator,
  target: { app: AckRound['app']; url: string; rssMb(): number },
  count: number,
  concurrency: number,
): Promise<AckRound> {
  const { app, url } = target;
  await slackQuiet(world);
  const fromUs = monotonicUs();
  const cpuBefore = process.cpuUsage();
  const armBefore = world.emulator.requests.all().length;
  const callsBefore = world.slack.calls.length;
  const commands = await load.send(url, count, concurrency);
  const { opened, refusals } = await modalsOf(world, commands, callsBefore, app);
  await slackQuiet(world);
  const toUs = monotonicUs();
  const cpu = process.cpuUsage(cpuBefore);
  const { slackCalls, slackArgBytes } = slackCallsSince(world, callsBefore);
  const latencies = commands.map((c) => (c.status === 200 ? c.ms : Number.POSITIVE_INFINITY));
  return {
    app,
    sent: commands.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(...latencies)),
    over3s: latencies.filter((ms) => ms > TRIGGER_LIFE_MS).length,
    failed: commands.filter((c) => c.status !== 200).length,
    modalsOpened: opened,
    modalsLost: commands.length - opened,
    slackCalls,
    slackArgBytes,
    armRequests: world.emulator.requests.all().length - armBefore,
    refusals,
    rssMb: round(target.rssMb()),
    fromUs,
    toUs,
    standInCpuMsPerCommand: round((cpu.user + cpu.system) / 1000 / commands.length, 2),
    latenciesMs: latencies,
    slowAcks: {
      onNewConnection: commands.filter((c, i) => c.newConnection && latencies[i]! > SLOW_ACK_MS).length,
      onReusedConnection: commands.filter((c, i) => !c.newConnection && latencies[i]! > SLOW_ACK_MS).length,
    },
  };
}
