import { Redis } from 'ioredis';
import { ACTION } from '../../src/bot/ids';
import { FailbackQueues } from '../../src/jobs/queues';
import type { Runtime } from '../../src/runtime';
import {
  chooseVms,
  findAction,
  finishCycle,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
import type { StoredMessage } from '@failback/slack-standin';
import { RunStore } from '../../src/store/run-store';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const VMS = ['app-01', 'db-01'];
const REASON = 'AVS is back <!channel> <b>now</b>';

let world: SandboxWorld;
let bot: Runtime;
let redis: Redis;
let queues: FailbackQueues;
let store: RunStore;
let card: StoredMessage;
let runId: string;

/** Messages in the run's thread that share files, oldest first. */
const uploads = () => world.slack.thread(INCIDENT_CHANNEL, card.ts).filter((m) => (m.files ?? []).length > 0);
const fileText = (m: StoredMessage, ext: 'md' | 'html') =>
  m.files?.find((f) => f.filename === `${runId}-report.${ext}`)?.bytes?.toString('utf8') ?? '';
const finalUploads = () => uploads().filter((m) => !/as of now/.test(m.text));

beforeAll(async () => {
  const prefix = uniquePrefix('report');
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix });
  bot = await world.startBot();
  redis = new Redis(world.redisUrl, { maxRetriesPerRequest: 1 });
  store = new RunStore({ redis, prefix });
  queues = new FailbackQueues({ connection: { url: world.redisUrl, maxRetriesPerRequest: 1 }, prefix });

  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, VMS);
  const reply = await submitRequest(world, shown, { vms: VMS, reason: REASON });
  if (reply.responseAction !== 'clear') throw new Error(`request refused: ${JSON.stringify(reply.errors)}`);
  const shownPrompt = await waitForCommitPrompt(world);
  card = shownPrompt.card;
  runId = /Failback (FB-\d+)/.exec(textOf(card))?.[1] ?? '';
  await finishCycle(world, card, shownPrompt.prompt);
});

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await bot?.stop();
  await world?.stop();
});

describe('the run report', () => {
  it('is uploaded to the card’s thread when the run ends, naming the VMs, the approver and the ASR job ids, with user text escaped', async () => {
    const [upload] = await world.slack.waitFor(() => (finalUploads().length > 0 ? finalUploads() : undefined), {
      timeoutMs: 30_000,
      message: 'the final report in the run’s thread',
    });
    expect(upload?.files?.map((f) => f.filename).sort()).toEqual([`${runId}-report.html`, `${runId}-report.md`]);
    const md = fileText(upload!, 'md');
    const html = fileText(upload!, 'html');

    const run = await store.require(runId);
    const jobIds = run.vms.flatMap((v) => [v.failover.jobName, v.commit?.jobName, v.reprotect?.jobName]);
    expect(jobIds.every((j) => typeof j === 'string' && j.length > 0)).toBe(true);
    for (const text of [md, html]) {
      for (const vm of VMS) expect(text).toContain(vm);
      expect(text).toContain(`@${PEOPLE.approver.id}`);
      expect(text).toContain(`@${PEOPLE.requester.id}`);
      for (const job of jobIds) expect(text).toContain(job);
      expect(text).toMatch(/min old at the request|\d+ s old at the request/);
    }
    expect(md).toMatch(/## Timeline/);
    expect(html).toContain('AVS is back &lt;!channel&gt; &lt;b&gt;now&lt;/b&gt;');
    expect(html).not.toMatch(/<!channel|<b>now/);
    expect(md).toContain('AVS is back \\<!channel\\> \\<b\\>now\\</b\\>');
    // Recorded when the responder submitted: what the run keeps of each VM's recovery points.
    expect(run.vms.every((v) => v.points?.chosen?.kind === 'latest')).toBe(true);

    // It follows the closing summary, which offers it again.
    const thread = world.slack.thread(INCIDENT_CHANNEL, card.ts);
    const summary = thread.find((m) => /finished/.test(m.text));
    expect(summary && findAction(summary.blocks, ACTION.uploadReport)).toBeDefined();
    expect(thread.indexOf(summary!)).toBeLessThan(thread.indexOf(upload!));
  });

  it('is uploaded once at the end even when its job runs again', async () => {
    await world.slack.waitFor(() => finalUploads().length === 1, { message: 'the final report' });
    const jobId = `report-${runId}-final`;
    await waitFor(async () => (await queues.slack.getJob(jobId)) === undefined, {
      message: 'the first final report job finished',
    });
    const uploadUrlCalls = world.slack.callsTo('files.getUploadURLExternal').length;

    await queues.enqueueReport(runId, 'final');
    await waitFor(async () => (await queues.slack.getJob(jobId)) === undefined, {
      message: 'the final report job ran again',
    });

    expect(finalUploads()).toHaveLength(1);
    expect(world.slack.callsTo('files.getUploadURLExternal')).toHaveLength(uploadUrlCalls);
  });

  it('is uploaded again on demand: /failback report and the summary’s button, each time', async () => {
    await world.slack.waitFor(() => finalUploads().length === 1, { message: 'the final report' });
    const before = uploads().length;

    await world.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: `report ${runId}`,
    });
    const answer = await world.slack.waitFor((s) =>
      s.ephemerals({ user: PEOPLE.bystander.id }).find((e) => /Uploading the report/.test(e.text)),
    );
    expect(answer.text).toBe(`Uploading the report of ${runId} to its thread…`);
    await world.slack.waitFor(() => uploads().length === before + 1, {
      message: 'the report uploaded on /failback report',
    });
    const onDemand = uploads().at(-1)!;
    expect(onDemand.text).toMatch(/as of now/);
    expect(fileText(onDemand, 'md')).toContain(`@${PEOPLE.approver.id}`);

    const summary = world.slack.thread(INCIDENT_CHANNEL, card.ts).find((m) => /finished/.test(m.text))!;
    await world.slack.clickButton({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: summary.ts,
      actionId: ACTION.uploadReport,
    });
    await world.slack.waitFor(() => uploads().length === before + 2, { message: 'the report uploaded on the button' });
    expect(finalUploads()).toHaveLength(1);
  });

  it('waits out Slack’s Retry-After when the upload is rate-limited, then uploads once', async () => {
    const before = uploads().length;
    const limited = () => world.slack.callsTo('files.getUploadURLExternal').filter((c) => c.httpStatus === 429);
    world.slack.faults.rateLimit('files.getUploadURLExternal', 1, 1);
    await world.slack.sendCommand({
      userId: PEOPLE.requester.id,
      channelId: INCIDENT_CHANNEL,
      text: `report ${runId}`,
    });
    await world.slack.waitFor(() => uploads().length === before + 1, { message: 'the report uploaded after the 429' });
    expect(limited()).toHaveLength(1);
    expect(uploads()).toHaveLength(before + 1);
  });

  it('answers clearly for an unknown run and refuses outside the allowed channels', async () => {
    await world.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: INCIDENT_CHANNEL, text: 'report FB-999' });
    await world.slack.waitFor((s) =>
      s.ephemerals({ user: PEOPLE.bystander.id }).find((e) => e.text === 'There is no run FB-999.'),
    );

    const before = uploads().length;
    await world.slack.sendCommand({ userId: PEOPLE.bystander.id, channelId: 'C0ELSEWHERE', text: `report ${runId}` });
    const refusal = await world.slack.waitFor(
      (s) => s.ephemerals({ user: PEOPLE.bystander.id, channel: 'C0ELSEWHERE' })[0],
    );
    expect(refusal.text).toMatch(/not enabled in this channel/);
    expect(uploads()).toHaveLength(before);
  });
});
