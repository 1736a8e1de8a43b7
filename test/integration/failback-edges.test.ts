import { ACTION, BLOCK } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import type { EmulatorOptions } from '@failback/asr-emulator';
import type { JsonObject, StoredMessage } from '@failback/slack-standin';
import {
  blocksOf,
  chooseVms,
  commitAsApprover,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  promptOf,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  vmOptions,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;

/** A fresh world (own Redis prefix) and an in-process bot on it. */
async function start(emulator: EmulatorOptions = {}): Promise<SandboxWorld> {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('fbedge'), emulator });
  bot = await world.startBot();
  return world;
}

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await world?.stop();
  world = undefined;
});

/** The requester opens /failback, picks `vms` (which reads their recovery points) and submits. */
async function request(w: SandboxWorld, vms: string[], userId: string = PEOPLE.requester.id) {
  const { view } = await openRequestModal(w, userId);
  const shown = await chooseVms(w, view, vms, userId);
  return submitRequest(w, shown, { vms }, userId);
}

const runIdOf = (m: StoredMessage | JsonObject[]) => /FB-\d+/.exec(textOf(m))?.[0] ?? '';

/** Every version a message has had, oldest first (the current one last). */
const versionsOf = (m: StoredMessage): JsonObject[][] => [...m.history.map((h) => h.blocks), m.blocks];

const optionText = (o: JsonObject) => String((o.text as { text: string }).text);

describe('when the failover job fails in ASR', () => {
  const asrMessage =
    'The virtual machine web-01 could not be powered on: host esx-07 of the AVS cluster is in maintenance mode';

  it('shows ASR’s own message for the VM, offers no Commit, marks the card Failed and frees the VM', async () => {
    const w = await start();
    w.emulator.faults.add({
      kind: 'job-fails',
      operation: 'unplannedFailover',
      item: 'web-01',
      code: 'VmPowerOnFailed',
      message: asrMessage,
    });

    expect((await request(w, ['web-01'])).responseAction).toBe('clear');

    const card = await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card posted' });
    const runId = runIdOf(card);
    const prompt = await w.slack.waitFor(() => promptOf(w, card), {
      timeoutMs: 20_000,
      message: 'verification prompt',
    });
    // The VM's line carries ASR's message (and code) verbatim.
    expect(textOf(prompt)).toContain(`*web-01* — failed: ${asrMessage} (VmPowerOnFailed)`);
    expect(textOf(prompt)).toContain('nothing to commit');
    expect(findAction(prompt.blocks, ACTION.commit)).toBeUndefined();

    const failed = await waitForCardText(w, card.ts, new RegExp(`Failback ${runId} — Failed`));
    expect(textOf(failed)).toContain(`failover failed: ${asrMessage}`);
    expect(findAction(failed.blocks, ACTION.reprotect)).toBeUndefined();
    expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(0);

    // The run is closed: the same VM can be requested again, and that request reaches ASR.
    const again = await request(w, ['web-01'], PEOPLE.bystander.id);
    expect(again.responseAction).toBe('clear');
    await w.slack.waitFor(() => w.emulator.operationPosts('unplannedFailover').length === 2, {
      message: 'second failover POST',
    });
    const posts = w.emulator.operationPosts('unplannedFailover');
    expect(posts.map((p) => p.path)).toEqual([posts[0]!.path, posts[0]!.path]);
    expect(w.slack.messages(INCIDENT_CHANNEL).map(runIdOf)).toEqual([runId, `FB-${Number(runId.slice(3)) + 1}`]);
  });
});

describe('when ASR could not shut the Azure VM down but the failover succeeded', () => {
  it('warns for that VM only in the verification prompt and still offers Commit', async () => {
    const w = await start();
    w.emulator.faults.add({ kind: 'shutdown-task-fails', item: 'app-01' });

    await request(w, ['app-01', 'db-01']);
    const { card, prompt } = await waitForCommitPrompt(w);

    const text = textOf(prompt);
    expect(text).toContain(
      '*app-01* — failed over · :warning: ASR could not shut the Azure VM down — check it in the portal before committing',
    );
    expect(text).toContain('*db-01* — failed over · Azure VM shut down');
    expect(text.match(/could not shut the Azure VM down/g)).toHaveLength(1);
    expect(findAction(prompt.blocks, ACTION.commit)).toMatchObject({ type: 'button', text: { text: 'Commit 2 VMs' } });
    expect(textOf(w.slack.message(INCIDENT_CHANNEL, card.ts)!)).toContain('Waiting for an approver to commit');
  });
});

describe('while the failover job runs', () => {
  it('edits the one run card in place with the current ASR task and a portal link to the ASR job', async () => {
    // 800 ms per task: the shutdown task (the second, recorded as VmShutdownVmOnPrimary) runs about 1.1–1.9 s after the POST.
    const w = await start({ taskMs: 800 });
    await request(w, ['db-01']);

    const posted = await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card posted' });
    const during = await w.slack.waitFor(
      (s) => {
        const card = s.message(INCIDENT_CHANNEL, posted.ts);
        return card && /failover running — Shut down the virtual machine \(1\/5\)/.test(textOf(card))
          ? card
          : undefined;
      },
      { timeoutMs: 15_000, message: 'card shows the shutdown task' },
    );
    const job = w.emulator
      .jobs()
      .find((j) => (j.properties as { targetObjectName?: string }).targetObjectName === 'db-01');
    expect(job).toBeDefined();
    // The step links to its job in the Azure portal (the emulator's endpoint is no cloud's: the public
    // portal); the job id itself is no longer text on the card.
    const { subscriptionId, resourceGroup, name: vault } = w.emulator.vault;
    const link =
      `<https://portal.azure.com/#resource/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}` +
      `/providers/Microsoft.RecoveryServices/vaults/${vault}/replicationJobs/${String(job!.name)}|failover>`;
    expect(textOf(during)).toContain(link);
    expect(textOf(during)).not.toContain(`\`${String(job!.name)}\``);

    const { card } = await waitForCommitPrompt(w);
    // Same message, edited: one top-level message, one card post, every card edit aimed at it.
    expect(card.ts).toBe(posted.ts);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    const cardPosts = w.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(cardPosts).toHaveLength(1);
    const updates = w.slack.callsTo('chat.update').filter((c) => c.args.ts === card.ts);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const versions = versionsOf(card).map((b) => textOf(b));
    expect(versions.some((v) => v.includes('Shut down the virtual machine'))).toBe(true);
    expect(versions.at(-1)).toContain('*db-01* — failed over');
    expect(versions.at(-1)).toContain(link);
    expect(versions.at(-1)).not.toContain('failover running');
  });
});

describe('when the vault has more ready VMs than a static select may list', () => {
  it('searches the VMs as the person types and fails back the one chosen, once', async () => {
    const w = await start({ extraVms: 150 });
    const { view } = await openRequestModal(w);
    const select = findAction(blocksOf(view), ACTION.vms);
    expect(select).toMatchObject({ type: 'multi_external_select' });
    expect(select?.options).toBeUndefined();

    const suggest = (value: string) =>
      w.slack.suggestOptions({
        userId: PEOPLE.requester.id,
        viewId: view.id,
        actionId: ACTION.vms,
        blockId: BLOCK.vms,
        value,
      });
    const everything = await suggest('');
    expect(everything.withinSlackTimeout).toBe(true);
    expect(everything.options).toHaveLength(100);

    const typed = await suggest('VM-12');
    expect(typed.withinSlackTimeout).toBe(true);
    expect(typed.options.map(optionText).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `vm-12${i}`));
    const chosen = typed.options.find((o) => optionText(o) === 'vm-123')!;
    const target = w.emulator.item('vm-123')!;
    // The text is the friendly name; the value is a key for the ASR item (its ARM id, or a hash when that is too long).
    expect(String(chosen.value)).not.toBe('vm-123');
    expect(String(chosen.value).length).toBeLessThanOrEqual(150);

    const pick = [{ value: String(chosen.value), text: 'vm-123' }];
    await w.slack.chooseOption({ viewId: view.id, userId: PEOPLE.requester.id, actionId: ACTION.vms, pick });
    const shown = await w.slack.waitFor(
      (s) => {
        const v = s.views.get(view.id);
        return v &&
          blocksOf(v).some((b) => b.block_id === BLOCK.rpo) &&
          textOf(v).includes('*vm-123* — latest crash-consistent')
          ? v
          : undefined;
      },
      { message: 'recovery points of vm-123 shown' },
    );
    const reply = await w.slack.submitView({
      userId: PEOPLE.requester.id,
      viewId: shown.id,
      values: {
        [BLOCK.vms]: { [ACTION.vms]: pick },
        [BLOCK.incident]: { [ACTION.incident]: 'INC-150' },
        [BLOCK.reason]: { [ACTION.reason]: 'a big vault' },
      },
    });
    expect(reply.responseAction).toBe('clear');

    const { card } = await waitForCommitPrompt(w);
    expect(textOf(card)).toContain('vm-123');
    const posts = w.emulator.operationPosts('unplannedFailover');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toMatch(new RegExp(`/replicationProtectedItems/${target.name}/unplannedFailover$`, 'i'));
  });
});

describe('when Slack rate-limits chat.update during the run', () => {
  it('still brings the card to the verification prompt and, after the commit, to Committed', async () => {
    const w = await start();
    await request(w, ['app-01']);
    const posted = await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card posted' });
    w.slack.faults.rateLimit('chat.update', 3, 1);

    const { card, prompt } = await waitForCommitPrompt(w, 30_000);
    expect(card.ts).toBe(posted.ts);
    await w.slack.waitFor(
      (s) => /Waiting for an approver to commit/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts)!)),
      {
        timeoutMs: 20_000,
        message: 'card caught up with the prompt',
      },
    );
    expect(w.slack.callsTo('chat.update').filter((c) => c.httpStatus === 429)).toHaveLength(3);

    // Slack throttles again while the commit is approved and runs.
    w.slack.faults.rateLimit('chat.update', 3, 1);
    await commitAsApprover(w, prompt, card.ts);
    const final = w.slack.message(INCIDENT_CHANNEL, card.ts)!;
    expect(textOf(final)).toContain(`Failback ${runIdOf(card)} — Committed — ready for reprotect`);
    await w.slack.waitFor(
      (s) => textOf(s.message(INCIDENT_CHANNEL, prompt.ts)!).includes(`Commit approved by <@${PEOPLE.approver.id}>`),
      {
        timeoutMs: 20_000,
        message: 'prompt says who approved the commit',
      },
    );
    expect(findAction(w.slack.message(INCIDENT_CHANNEL, prompt.ts)!.blocks, ACTION.commit)).toBeUndefined();
    expect(w.slack.callsTo('chat.update').filter((c) => c.httpStatus === 429)).toHaveLength(6);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(w.emulator.operationPosts('failoverCommit')).toHaveLength(1);
  });

  // Known bug (see report): card edits are retried by BullMQ's back-off (500 ms, 1 s, …) because
  // `backoffDelay` reads `retryAfterMs`, while @slack/web-api's rate-limit error carries `retryAfter` in seconds.
  it('does not call chat.update again before Slack’s Retry-After has passed', async () => {
    const w = await start();
    await request(w, ['app-01']);
    await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card posted' });
    const retryAfterSeconds = 2;
    w.slack.faults.rateLimit('chat.update', 1, retryAfterSeconds);

    const { card } = await waitForCommitPrompt(w, 30_000);
    await w.slack.waitFor(
      (s) => /Waiting for an approver to commit/.test(textOf(s.message(INCIDENT_CHANNEL, card.ts)!)),
      {
        timeoutMs: 20_000,
        message: 'card caught up with the prompt',
      },
    );
    const updates = w.slack.callsTo('chat.update');
    const limited = updates.find((c) => c.httpStatus === 429)!;
    const next = updates.find((c) => c.time > limited.time)!;
    expect(next.time - limited.time).toBeGreaterThanOrEqual(retryAfterSeconds * 1000);
  });
});

describe('when ARM is slow and throttles reads', () => {
  it('answers Slack within 3 s, offers every ready VM from all pages and reaches the prompt with one failover', async () => {
    const w = await start({ latencyMs: 200, pageSize: 2, throttle: { readEvery: 4, retryAfterSeconds: 1 } });

    const { reply, view } = await openRequestModal(w);
    expect(reply.withinSlackTimeout).toBe(true);
    const ready = w.emulator
      .items()
      // Ready to fail back: a failback provider in its ready stage (an InMageAzureV2 item lists UnplannedFailover too: to Azure).
      .filter((i) => (i.provider === 'InMage' || i.provider === 'InMageRcmFailback') && i.stage === 'ready')
      .map((i) => i.friendlyName);
    expect(ready.length).toBeGreaterThan(2); // more than one page
    expect([...vmOptions(view).keys()].sort()).toEqual([...ready].sort());

    const shown = await chooseVms(w, view, ['app-01']);
    const submitted = await submitRequest(w, shown, { vms: ['app-01'] });
    expect(submitted.withinSlackTimeout).toBe(true);
    expect(submitted.elapsedMs).toBeLessThan(3_000);
    expect(submitted.responseAction).toBe('clear');

    await waitForCommitPrompt(w, 40_000, ' on a slow ARM');
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    // The conditions were real: ARM answered 429s and paged the item list.
    const requests = w.emulator.requests.all();
    expect(requests.some((r) => r.status === 429)).toBe(true);
    expect(requests.some((r) => /replicationProtectedItems$/i.test(r.path) && r.query.$skiptoken !== undefined)).toBe(
      true,
    );
  });
});

describe('when the request modal is submitted twice at once', () => {
  it('creates one run and issues one failover', async () => {
    const w = await start();
    const { view } = await openRequestModal(w);
    const shown = await chooseVms(w, view, ['app-01']);

    const replies = await Promise.all([
      submitRequest(w, shown, { vms: ['app-01'] }),
      submitRequest(w, shown, { vms: ['app-01'] }),
    ]);
    expect(replies.filter((r) => r.responseAction === 'clear')).toHaveLength(1);

    const { card } = await waitForCommitPrompt(w);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1);
    expect(w.emulator.operationPosts('unplannedFailover')).toHaveLength(1);
    const history = await w.slack.sendCommand({
      userId: PEOPLE.requester.id,
      channelId: INCIDENT_CHANNEL,
      text: 'history',
    });
    expect(JSON.stringify(history.body).match(/• \*FB-\d+\*/g)).toEqual([`• *${runIdOf(card)}*`]);
  });
});

describe('/failback status', () => {
  it('shows the run’s card to the asker only, and says when there is no such run', async () => {
    const w = await start();
    await request(w, ['db-01']);
    const card = await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL)[0], { message: 'run card posted' });
    const runId = runIdOf(card);

    const status = await w.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: `status ${runId}`,
    });
    expect(status.withinSlackTimeout).toBe(true);
    expect(status.body).toMatchObject({ response_type: 'ephemeral' });
    const shown = w.slack.ephemerals({ user: PEOPLE.bystander.id }).at(-1)!;
    const header = shown.blocks.find((b) => b.type === 'header');
    expect(header).toMatchObject({ text: { text: expect.stringMatching(new RegExp(`^Failback ${runId} — `)) } });
    expect(textOf(shown.blocks)).toContain('db-01');
    expect(textOf(shown.blocks)).toContain('INC-4711');
    expect(textOf(shown.blocks)).toContain(`<@${PEOPLE.requester.id}>`);
    expect(w.slack.messages(INCIDENT_CHANNEL)).toHaveLength(1); // nothing new in the channel

    const none = await w.slack.sendCommand({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      text: 'status FB-999',
    });
    expect(none.body).toMatchObject({ response_type: 'ephemeral', text: 'There is no run FB-999.' });
    expect(w.slack.ephemerals({ user: PEOPLE.bystander.id }).at(-1)?.text).toBe('There is no run FB-999.');
  });
});
