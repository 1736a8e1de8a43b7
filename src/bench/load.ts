/**
 * The benchmark's load generator, a child process of the bench (`fork`, IPC): it signs and sends
 * `/failback` slash commands to an app as Slack does and times each answer with its own clock, so the
 * Slack stand-in's work (in the bench process) does not slow the clock that measures the app.
 *
 * Each command carries a trigger_id it makes up, `ext.<issuedAtEpochMs>.<random>`, which the stand-in
 * accepts when its `externalTriggers` is on (3 s from that time, single use), and a response_url on
 * the stand-in, which does not know it: the bot posts nothing to it for `/failback` (the bench notes
 * any post).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { signSlackRequest } from '@failback/slack-standin';

/** What the bench asks for: `count` commands to `url`, at most `concurrency` at a time. */
export interface LoadRequest {
  readonly type: 'send';
  readonly id: number;
  readonly url: string;
  readonly count: number;
  readonly concurrency: number;
  readonly signingSecret: string;
  /** Where response_urls point (the stand-in's base URL, ending in `/`). */
  readonly standInUrl: string;
  /** The command's form fields but `response_url` and `trigger_id` (team, channel, user, command, …). */
  readonly fields: Readonly<Record<string, string>>;
}

/** One command as the load generator saw it. */
export interface SentCommand {
  /** From just before the request to the end of the answer (ms); Slack gives up after 3,000. */
  readonly ms: number;
  /** HTTP status, or 0 when there was no answer (connection error, 30 s timeout). */
  readonly status: number;
  readonly triggerId: string;
  /** When the trigger was made (epoch ms), as encoded in it. */
  readonly issuedAt: number;
  /** Whether it was its sender's first: sent on a connection it opened (the others reuse theirs). */
  readonly newConnection: boolean;
}

export interface LoadReply {
  readonly type: 'sent';
  readonly id: number;
  readonly commands: SentCommand[];
}

const NO_ANSWER_MS = 30_000;

function post(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.setTimeout(NO_ANSWER_MS, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function sendOne(agent: Agent, ask: LoadRequest, url: URL, newConnection: boolean): Promise<SentCommand> {
  const issuedAt = Date.now();
  const triggerId = `ext.${issuedAt}.${randomBytes(12).toString('hex')}`;
  const responseUrl = `${ask.standInUrl}response/ext.${issuedAt}.${randomBytes(12).toString('hex')}`;
  const body = new URLSearchParams({ ...ask.fields, response_url: responseUrl, trigger_id: triggerId }).toString();
  const timestampSec = Math.floor(issuedAt / 1000);
  const headers = {
    // Exactly this: Bolt's HTTPReceiver refuses `…; charset=utf-8`.
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signSlackRequest(ask.signingSecret, body, timestampSec),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  const started = performance.now();
  const status = await post(agent, url, body, headers);
  return { ms: performance.now() - started, status, triggerId, issuedAt, newConnection };
}

async function send(ask: LoadRequest): Promise<SentCommand[]> {
  // Keep-alive, at most one socket per concurrent sender, new for each batch: a burst opens its
  // connections as it starts (the app must accept them while it works), the same for both apps.
  const agent = new Agent({ keepAlive: true, maxSockets: ask.concurrency });
  const url = new URL(ask.url);
  const commands: SentCommand[] = [];
  let next = 0;
  const sender = async (): Promise<void> => {
    for (let first = true; next < ask.count; first = false) {
      next += 1;
      commands.push(await sendOne(agent, ask, url, first));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(ask.concurrency, ask.count) }, sender));
  } finally {
    agent.destroy();
  }
  return commands;
}

if (!process.send) {
  process.stderr.write('load.js is the benchmark’s load generator: it runs as a child of bench.js (IPC)\n');
  process.exit(2);
}
process.on('message', (ask: LoadRequest) => {
  send(ask).then(
    (commands) => process.send?.({ type: 'sent', id: ask.id, commands } satisfies LoadReply),
    (e: unknown) => {
      process.stderr.write(`load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
});
// The bench closing the channel is the end.
process.on('disconnect', () => process.exit(0));
