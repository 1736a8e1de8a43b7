import {
  choosePlan,
  chooseVms,
  commitAsApprover,
  INCIDENT_CHANNEL,
  openRequestModal,
  promptOf,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { DEFAULT_SCENARIO } from '@failback/asr-emulator';
import { startBotProcess, type BotProcess } from '../support/bot-process';

jest.setTimeout(120_000);

let world: SandboxWorld;
const processes: BotProcess[] = [];

beforeEach(async () => {
  world = await startSandboxWorld({ emulator: { taskMs: 300 } });
});

afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill('SIGTERM');
  await world.stop();
});

describe('scale-out: one web process and two worker processes on one Redis', () => {
  it('runs a VM run and a plan run through failover, commit and reprotect with no duplicate work and no lost event', async () => {
    for (let i = 0; i < 2; i++) processes.push(await startBotProcess({ ...world.env, FAILBACK_ROLE: 'worker' }));
    const web = await startBotProcess({ ...world.env, FAILBACK_ROLE: 'web' });
    processes.push(web);
    world.slack.botUrl = `http://127.0.0.1:${web.port}/slack/events`;

    const first = await openRequestModal(world);
    const vms = await chooseVms(world, first.view, ['crm-01', 'crm-02']);
    expect((await submitRequest(world, vms, { vms: ['crm-01', 'crm-02'] })).responseAction).toBe('clear');
    const { card, prompt } = await waitForCommitPrompt(world, 40_000);
    await commitAsApprover(world, prompt, card.ts);
    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, 60_000);

    const second = await openRequestModal(world);
    const plan = await choosePlan(world, second.view, DEFAULT_SCENARIO.plans.classic);
    expect((await submitRequest(world, plan, { vms: [], plan: DEFAULT_SCENARIO.plans.classic })).responseAction).toBe(
      'clear',
    );
    const planCard = await world.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL).find((m) => m.ts !== card.ts), {
      message: 'second run card',
    });
    const planPrompt = await world.slack.waitFor(
      () => {
        const p = promptOf(world, planCard);
        return p && JSON.stringify(p.blocks).includes('"action_id":"commit"') ? p : undefined;
      },
      { timeoutMs: 40_000, message: 'plan run prompt' },
    );
    await commitAsApprover(world, planPrompt, planCard.ts);
    await reprotectWithDefaults(world, planCard.ts);
    await waitForCardText(world, planCard.ts, /Done — protected to Azure again/, 60_000);

    // Exactly the operations of the two cycles: no step ran twice on two workers.
    const posts = (kind: Parameters<SandboxWorld['emulator']['operationPosts']>[0]) =>
      world.emulator.operationPosts(kind).map((p) => p.path);
    expect(posts('plannedFailover')).toHaveLength(2); // crm-01, crm-02
    expect(posts('unplannedFailover')).toHaveLength(1); // the plan
    expect(posts('failoverCommit')).toHaveLength(3); // crm-01, crm-02, the plan
    expect(posts('reprotect')).toHaveLength(5); // crm-01, crm-02, and the plan's three VMs
    for (const kind of ['unplannedFailover', 'plannedFailover', 'failoverCommit', 'reprotect'] as const) {
      expect(new Set(posts(kind)).size).toBe(posts(kind).length);
    }
    // One card, prompt, summary and report per run: no Slack message was posted twice.
    expect(world.slack.messages(INCIDENT_CHANNEL)).toHaveLength(2);
    for (const c of [card, planCard]) {
      const replies = () => world.slack.thread(INCIDENT_CHANNEL, c.ts).filter((m) => m.ts !== c.ts);
      await world.slack.waitFor(() => replies().length >= 3, { message: 'prompt, summary and report in the thread' });
      const thread = replies();
      expect(thread).toHaveLength(3); // the verification prompt, the closing summary, the run report
      expect(thread.filter((m) => JSON.stringify(m.blocks).includes('*Timeline*'))).toHaveLength(1);
      expect(thread.filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
    }
  });
});
