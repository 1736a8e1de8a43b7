import { ACTION, BLOCK, CALLBACK } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  chooseVms,
  findAction,
  INCIDENT_CHANNEL,
  openHome,
  openRequestModal,
  PEOPLE,
  requestFromHome,
  SANDBOX_BOT_TOKEN,
  type SandboxWorld,
  SECOND_CHANNEL,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCommitPrompt,
} from '@failback/sandbox';
import type { JsonObject, StoredView } from '@failback/slack-standin';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(60_000);

let world: SandboxWorld;
let bot: Runtime;

async function start(env: Record<string, string> = {}) {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('home'), env });
  bot = await world.startBot();
}

afterEach(async () => {
  await bot?.stop();
  await world?.stop();
});

/** The mrkdwn of the Home's blocks whose block_id starts with `prefix` (one section of the tab). */
const part = (home: StoredView, prefix: string) =>
  blocksOf(home)
    .filter((b) => typeof b.block_id === 'string' && b.block_id.startsWith(prefix))
    .map((b) => String((b.text as JsonObject | undefined)?.text ?? ''))
    .join('\n');

describe('the App Home', () => {
  it('shows approvers the run waiting for their commit (never its requester), the active runs and recent history', async () => {
    await start();
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['app-01']);
    await submitRequest(world, shown, { vms: ['app-01'], incident: '<!channel> INC-77' });
    const { card } = await waitForCommitPrompt(world);
    const runId = /FB-\d+/.exec(card.text)?.[0] ?? 'no run id';

    const approverHome = await openHome(world, PEOPLE.approver.id);
    expect(part(approverHome, BLOCK.homeWaiting)).toContain(`*${runId}* in <#${INCIDENT_CHANNEL}> — app-01`);
    expect(part(approverHome, BLOCK.homeActive)).toMatch(
      new RegExp(
        `\\*${runId}\\* — _Waiting for an approver to commit_ · app-01 · requested by <@${PEOPLE.requester.id}>`,
      ),
    );
    expect(part(approverHome, BLOCK.homeActive)).toContain('incident &lt;!channel&gt; INC-77');
    expect(textOf(approverHome)).toMatch(new RegExp(`Recent failback runs \\(1\\)[\\s\\S]*${runId}`));
    expect(textOf(approverHome)).not.toContain('<!channel>');

    // An approver through the user group sees it too.
    expect(part(await openHome(world, PEOPLE.groupApprover.id), BLOCK.homeWaiting)).toContain(runId);

    // riley is an approver, but requested this run: four-eyes keeps it out of their approvals.
    const requesterHome = await openHome(world, PEOPLE.requester.id);
    expect(part(requesterHome, BLOCK.homeWaiting)).toMatch(/Waiting for your approval/);
    expect(part(requesterHome, BLOCK.homeWaiting)).not.toContain(runId);
    expect(textOf(requesterHome)).toContain('Nothing is waiting for your approval.');
    expect(part(requesterHome, BLOCK.homeActive)).toContain(runId);

    // Someone who is no approver (and no configured requester) gets no approvals section, sees only
    // the runs they requested (incident channels may be private), and is sent to /failback.
    const bystanderHome = await openHome(world, PEOPLE.bystander.id);
    expect(part(bystanderHome, BLOCK.homeWaiting)).toBe('');
    expect(part(bystanderHome, BLOCK.homeActive)).not.toContain(runId);
    expect(textOf(bystanderHome)).not.toContain(runId);
    expect(textOf(bystanderHome)).toContain('Only the runs you requested are listed here.');
    expect(findAction(blocksOf(bystanderHome), ACTION.homeRequest)).toBeUndefined();

    // Opening the tab again publishes it anew (the same Home view, updated).
    expect((await openHome(world, PEOPLE.approver.id)).id).toBe(approverHome.id);
    expect(world.slack.callsTo('views.publish').every((c) => c.response.ok === true)).toBe(true);

    // The stand-in refuses a Home Slack would refuse (so the checks above mean something).
    const tooBig = await fetch(`${world.slack.apiUrl}views.publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SANDBOX_BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: PEOPLE.approver.id,
        view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) },
      }),
    });
    expect(await tooBig.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(world.slack.home(PEOPLE.approver.id)?.view.blocks).toHaveLength(blocksOf(approverHome).length);
  });

  it('opens the request modal from its button for a configured requester, straight to the only allowed channel', async () => {
    await start({ FAILBACK_REQUESTERS: PEOPLE.bystander.id });
    expect(findAction(blocksOf(await openHome(world, PEOPLE.bystander.id)), ACTION.homeRequest)).toBeDefined();
    const { view } = await requestFromHome(world, PEOPLE.bystander.id);
    expect(view.view.callback_id).toBe(CALLBACK.request);
    expect(blocksOf(view).some((b) => b.block_id === BLOCK.channel)).toBe(false);
    const shown = await chooseVms(world, view, ['db-01'], PEOPLE.bystander.id);
    const reply = await submitRequest(world, shown, { vms: ['db-01'] }, PEOPLE.bystander.id);
    expect(reply.responseAction).toBe('clear');
    await world.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL).find((m) => /Failback FB-\d+/.test(m.text)), {
      message: 'card in the incident channel',
    });
  });

  it('with several allowed channels asks where the run card goes, refuses one not allowed, and posts the card in the chosen one', async () => {
    await start({ FAILBACK_ALLOWED_CHANNELS: `${INCIDENT_CHANNEL},${SECOND_CHANNEL}` });
    const home = await openHome(world, PEOPLE.requester.id);
    expect(findAction(blocksOf(home), ACTION.homeRequest)).toBeDefined();

    const { view } = await requestFromHome(world, PEOPLE.requester.id);
    const channelInput = blocksOf(view).find((b) => b.block_id === BLOCK.channel);
    expect(channelInput?.element).toMatchObject({ type: 'conversations_select', action_id: ACTION.channel });
    expect(view.view.private_metadata).toBe('{}');

    // Choosing VMs rebuilds the modal: the channel input stays.
    const shown = await chooseVms(world, view, ['web-01']);
    expect(blocksOf(shown).some((b) => b.block_id === BLOCK.channel)).toBe(true);

    const refused = await submitRequest(world, shown, { vms: ['web-01'], channel: 'C0ELSEWHERE' });
    expect(refused.responseAction).toBe('errors');
    expect(refused.errors?.[BLOCK.channel]).toMatch(/not enabled in that channel/);

    const accepted = await submitRequest(world, shown, { vms: ['web-01'], channel: SECOND_CHANNEL });
    expect(accepted.responseAction).toBe('clear');
    const card = await world.slack.waitFor(
      (s) => s.messages(SECOND_CHANNEL).find((m) => /Failback FB-\d+/.test(m.text)),
      {
        message: 'run card in the chosen channel',
      },
    );
    expect(textOf(card)).toContain('web-01');
    expect(world.slack.messages(INCIDENT_CHANNEL)).toEqual([]);

    const again = await openHome(world, PEOPLE.approver.id);
    expect(part(again, BLOCK.homeActive)).toContain(`<#${SECOND_CHANNEL}>`);
  });

  it('with no allow-list asks for the channel too', async () => {
    await start({ FAILBACK_ALLOWED_CHANNELS: '' });
    const { view } = await requestFromHome(world, PEOPLE.requester.id);
    expect(blocksOf(view).some((b) => b.block_id === BLOCK.channel)).toBe(true);
  });
});
