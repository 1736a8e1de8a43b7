import { Writable } from 'node:stream';
import type { TokenCredential } from '@azure/core-auth';
import { ACTION, CALLBACK } from '../../src/bot/ids';
import { createLogger } from '../../src/logging';
import { withLogContext } from '../../src/observability/log-context';
import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  SANDBOX_BOT_TOKEN,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
import type { StoredMessage } from '@failback/slack-standin';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

type LogLine = Record<string, unknown> & { msg?: string };

/** Every line the bot logged, raw and parsed. */
const raw: string[] = [];
const lines = (): LogLine[] => raw.map((l) => JSON.parse(l) as LogLine);
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
const log = createLogger('debug', sink);

let world: SandboxWorld;
let bot: Runtime;
let runId: string;
let prompt: StoredMessage;

const get = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`);
const scrape = async (port = bot.port) => {
  const res = await get(port, '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

/** The sum of the samples of `name` whose labels include `labels`, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

beforeAll(async () => {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('obs'), log });
  bot = await world.startBot();
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, ['app-01']);
  expect((await submitRequest(world, shown, { vms: ['app-01'] })).responseAction).toBe('clear');
  const waited = await waitForCommitPrompt(world);
  prompt = waited.prompt;
  runId = /FB-\d+/.exec(textOf(waited.card))?.[0] ?? '';
  expect(runId).toMatch(/^FB-\d+$/);
});

afterAll(async () => {
  await bot?.stop();
  await world?.stop();
});

describe('GET /metrics after a failover', () => {
  it('answers Prometheus text with the step, ARM request and run-phase series', async () => {
    const text = await scrape();

    expect(sample(text, 'failback_step_duration_seconds_count', { step: 'failover', outcome: 'ok' })).toBeGreaterThan(
      0,
    );
    const failoverPosts = {
      method: 'POST',
      operation: 'replicationProtectedItems/unplannedFailover',
      status_class: '2xx',
    };
    expect(sample(text, 'failback_arm_request_duration_seconds_count', failoverPosts)).toBe(
      world.emulator.operationPosts('unplannedFailover').length,
    );
    expect(
      sample(text, 'failback_arm_request_duration_seconds_count', { method: 'GET', status_class: '2xx' }),
    ).toBeGreaterThan(0);
    // Labels name resource types, never a VM, fabric or job.
    expect(text).not.toMatch(/operation="[^"]*app-01/);

    // The failover itself, from its issue to ASR's end of the job.
    expect(sample(text, 'failback_asr_operations_total', { op: 'failover', outcome: 'succeeded' })).toBe(1);
    expect(
      sample(text, 'failback_asr_operation_duration_seconds_count', { op: 'failover', outcome: 'succeeded' }),
    ).toBe(1);
    expect(
      sample(text, 'failback_asr_operation_duration_seconds_sum', { op: 'failover', outcome: 'succeeded' }),
    ).toBeGreaterThan(0);

    expect(sample(text, 'failback_runs', { phase: 'awaiting-commit' })).toBe(1);
    expect(sample(text, 'failback_runs', { phase: 'failing-over' })).toBe(0);
    expect(sample(text, 'failback_approvals_waiting')).toBe(1);
    expect(sample(text, 'failback_approval_wait_seconds_max')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'failback_queue_jobs', { queue: 'fb-steps' })).toBeDefined();
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts an ARM 429 although the SDK retried it by itself', async () => {
    const throttled = () => scrape().then((t) => sample(t, 'failback_throttled_total', { service: 'arm' }) ?? -1);
    const before = await throttled();
    expect(before).toBeGreaterThanOrEqual(0);

    world.emulator.faults.add({
      kind: 'status',
      match: { method: 'GET', path: /replicationProtectedItems/ },
      status: 429,
      retryAfterSeconds: 1,
    });
    const { view } = await openRequestModal(world);
    await chooseVms(world, view, ['web-01']);

    expect(world.emulator.requests.all().some((r) => r.status === 429)).toBe(true);
    await waitFor(async () => (await throttled()) > before, { message: 'ARM throttling counter rose' });
    const text = await scrape();
    expect(sample(text, 'failback_arm_request_errors_total', { method: 'GET', status_class: '4xx' })).toBeGreaterThan(
      0,
    );
  });

  it('counts a Slack 429 on the client a listener used', async () => {
    const throttled = () => scrape().then((t) => sample(t, 'failback_throttled_total', { service: 'slack' }) ?? -1);
    const before = await throttled();
    world.slack.faults.rateLimit('views.open', 1, 1);
    await openRequestModal(world);
    await waitFor(async () => (await throttled()) > before, { message: 'Slack throttling counter rose' });
  });
});

describe('log lines', () => {
  it('carry the run id and Slack request id while a button click is handled', async () => {
    const from = raw.length;
    await world.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    await world.slack.waitFor(
      (s) => s.openViews(PEOPLE.approver.id).find((v) => v.view.callback_id === CALLBACK.confirmCommit),
      {
        message: 'commit confirmation opened',
      },
    );

    // Bolt's Web API client logs through our logger but knows nothing about runs: the context does.
    const opened = await waitFor(() =>
      lines()
        .slice(from)
        .find((l) => l.component === 'bolt' && /apiCall\('views\.open'\) start/.test(l.msg ?? '')),
    );
    expect(opened.runId).toBe(runId);
    expect(opened.slackRequestId).toEqual(expect.any(String));
    const sameRequest = lines()
      .slice(from)
      .filter((l) => l.slackRequestId === opened.slackRequestId);
    expect(sameRequest.length).toBeGreaterThan(1);
    // Another request gets another id.
    expect(
      lines().some((l) => typeof l.slackRequestId === 'string' && l.slackRequestId !== opened.slackRequestId),
    ).toBe(true);
  });

  it('carry the run id and job id in the step worker', () => {
    const accepted = raw.filter((l) => l.includes('"msg":"ASR accepted the operation"') && l.includes(runId));
    expect(accepted.length).toBeGreaterThan(0);
    const line = JSON.parse(accepted[0]!) as LogLine;
    expect(line.runId).toBe(runId);
    expect(line.jobId).toBe(`run-${runId}-failover`);
    expect(line.queue).toBe('fb-steps');
    // The child logger already binds runId: the context does not write it a second time.
    expect(accepted[0]!.match(/"runId"/g)).toHaveLength(1);
  });

  it('still hide the bot token, inside a log context too', () => {
    withLogContext({ runId: 'FB-0' }, () => log.info({ config: world.config }, 'configuration'));
    const line = raw.find((l) => l.includes('"msg":"configuration"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ runId: 'FB-0', config: { slack: { botToken: '[redacted]' } } });
    expect(raw.filter((l) => l.includes(SANDBOX_BOT_TOKEN))).toEqual([]);
  });
});

describe('GET /readyz', () => {
  it('is 200 when Redis answers and an Azure token can be obtained', async () => {
    const res = await get(bot.port, '/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      redis: 'ok',
      azure: 'ok',
      vaults: { 'avs-dr-vault (westeurope)': 'ok' },
    });
  });

  it('is 503 naming azure when no token can be obtained, and never shows a token', async () => {
    const broken: TokenCredential = {
      getToken: () => Promise.reject(new Error('managed identity unavailable\nsecond line with details')),
    };
    const other = await world.startBot({ credential: broken, prefix: uniquePrefix('obs-ready') });
    try {
      const res = await get(other.port, '/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'degraded',
        redis: 'ok',
        azure: 'no token: managed identity unavailable',
        // Never read, so named without its region; why it cannot be read is the token's line above.
        vaults: { 'avs-dr-vault': expect.stringMatching(/^cannot read: /) },
      });
      expect((await get(other.port, '/healthz')).status).toBe(200);
    } finally {
      await other.stop();
      world.slack.botUrl = `http://127.0.0.1:${bot.port}/slack/events`;
    }
  });
});
