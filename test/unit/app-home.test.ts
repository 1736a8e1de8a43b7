import type { HomeView } from '@slack/types';
import { ACTION, BLOCK } from '../../src/bot/ids';
import { homeChannel } from '../../src/bot/listeners/events/app-home';
import { requestChannel } from '../../src/bot/listeners/request-channel';
import { encodeRequestMetadata } from '../../src/bot/views/request-metadata';
import { appHome, appHomeUnavailable, requestModal } from '../../src/bot/views';
import type { OpState, Run, RunVm } from '../../src/domain/run';
import type { VmFacts } from '../../src/domain/vm';
import { checkHomeView } from '@failback/slack-standin';
import { mrkdwnTexts, slackLimitViolations } from './views-limits';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const EVIL = '<!channel> <https://evil|click> & <@U999>';
const LONG = 'x'.repeat(5000);
const ITEMS = '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicatedItems/';

function runVm(name: string, failover: Partial<OpState> = {}): RunVm {
  return { id: `${ITEMS}${name}`, name, failover: { status: 'succeeded', endedAt: ago(3), ...failover } };
}

/** A run in `awaiting-commit` unless its VMs say otherwise. */
function run(id: string, over: Partial<Run> = {}): Run {
  return {
    id,
    version: 3,
    createdAt: ago(30),
    requesterId: 'UREQ',
    channelId: 'CINC',
    incident: 'INC-1234',
    reason: 'AVS is healthy again',
    recoveryPoint: { kind: 'latest' },
    vms: [runVm('app-01'), runVm('db-01')],
    ...over,
  };
}
const failingOver = (id: string) => run(id, { vms: [runVm('web-01', { status: 'running' })] });

type Block = Record<string, unknown>;
const blocks = (v: HomeView) => v.blocks as unknown as Block[];
const startingWith = (v: HomeView, prefix: string) =>
  blocks(v).filter((b) => typeof b.block_id === 'string' && b.block_id.startsWith(prefix));
const sectionText = (v: HomeView, prefix: string) => mrkdwnTexts(startingWith(v, prefix)).join('\n');
const all = (v: HomeView) => mrkdwnTexts(v).join('\n');

function expectWithinLimits(view: HomeView): void {
  expect(checkHomeView(view)).toEqual([]);
  // Stricter than a Home needs (50 blocks, as a message): the tab stays compact.
  expect(slackLimitViolations(view.blocks)).toEqual([]);
}

describe('the App Home', () => {
  describe('for an approver with a run waiting for a commit', () => {
    const waiting = run('FB-7');
    const view = appHome({
      awaitingYou: [waiting],
      active: [waiting, failingOver('FB-8')],
      recent: [waiting],
      now: NOW,
    });

    it('names the run, its target and its channel under “Waiting for your approval”', () => {
      const text = sectionText(view, BLOCK.homeWaiting);
      expect(text).toMatch(/Waiting for your approval/);
      expect(text).toMatch(/\*FB-7\* in <#CINC> — app-01, db-01/);
      expect(text).toMatch(/requested by <@UREQ> 30 min ago/);
      expect(text).toContain('AVS is healthy again');
      expect(text).not.toContain('FB-8');
    });

    it('lists every active run with its phase in the card’s words, its target and requester', () => {
      const text = sectionText(view, BLOCK.homeActive);
      expect(text).toMatch(/Active runs\* \(2\)/);
      expect(text).toMatch(/\*FB-7\* — _Waiting for an approver to commit_ · app-01, db-01 · requested by <@UREQ>/);
      expect(text).toMatch(/\*FB-8\* — _Failing back…_ · web-01/);
    });

    it('shows recent history as /failback history does, and a button to request a failback', () => {
      expect(all(view)).toMatch(/Recent failback runs \(1\)/);
      const actions = blocks(view).find((b) => b.block_id === BLOCK.homeActions);
      expect(actions?.elements).toEqual([
        expect.objectContaining({
          type: 'button',
          action_id: ACTION.homeRequest,
          text: expect.objectContaining({ text: 'Request a failback' }),
        }),
      ]);
      expectWithinLimits(view);
    });
  });

  it('names a recovery plan as the target', () => {
    const planRun = run('FB-9', { plan: { id: 'p', name: 'rp-crm' } });
    expect(sectionText(appHome({ active: [planRun], recent: [], now: NOW }), BLOCK.homeActive)).toMatch(
      /recovery plan \*rp-crm\* \(app-01, db-01\)/,
    );
  });

  it('has no approval section for someone who is no approver', () => {
    const view = appHome({ active: [run('FB-7')], recent: [], now: NOW });
    expect(startingWith(view, BLOCK.homeWaiting)).toEqual([]);
    expect(all(view)).not.toMatch(/Waiting for your approval/);
  });

  it('says so, in words, when nothing waits, nothing runs and nothing ran', () => {
    const view = appHome({ awaitingYou: [], active: [], recent: [], now: NOW });
    expect(all(view)).toContain('Nothing is waiting for your approval.');
    expect(all(view)).toContain('No failback is running right now.');
    expect(all(view)).toContain('No failback runs yet.');
    expectWithinLimits(view);
  });

  it('escapes what people typed and ASR named: no @channel, links or mentions from a reason, incident or VM name', () => {
    const evil = run('FB-7', { incident: EVIL, reason: EVIL, vms: [runVm(EVIL)], plan: { id: 'p', name: EVIL } });
    const view = appHome({ awaitingYou: [evil], active: [evil], recent: [evil], now: NOW });
    for (const t of mrkdwnTexts(view)) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<https://evil');
      expect(t).not.toContain('<@U999>');
    }
    expect(sectionText(view, BLOCK.homeWaiting)).toContain('&lt;!channel&gt;');
    expect(sectionText(view, BLOCK.homeActive)).toContain('incident &lt;!channel&gt;');
  });

  it('stays within Slack’s limits with many long-named runs, counting what it does not list', () => {
    const huge = (i: number) =>
      run(`FB-${i}`, {
        incident: EVIL + LONG,
        reason: EVIL + LONG,
        vms: Array.from({ length: 20 }, (_, j) => runVm(`${EVIL}-${j}-${LONG}`)),
      });
    const many = Array.from({ length: 200 }, (_, i) => huge(i));
    const view = appHome({
      awaitingYou: many,
      active: many.slice(0, 30),
      moreActive: 170,
      recent: many.slice(0, 5),
      now: NOW,
    });
    expectWithinLimits(view);
    expect(sectionText(view, BLOCK.homeActive)).toMatch(/Active runs\* \(200\)/);
    expect(sectionText(view, BLOCK.homeActive)).toMatch(/and \d+ more/);
    expect(sectionText(view, BLOCK.homeWaiting)).toMatch(/and \d+ more runs/);
  });

  it('explains, escaped and within limits, when the runs cannot be read', () => {
    const view = appHomeUnavailable(`${EVIL} ${LONG}`, NOW);
    expectWithinLimits(view);
    expect(all(view)).toMatch(/Could not read the failback runs/);
    expect(all(view)).not.toContain('<!channel>');
  });
});

describe('a request made from App Home', () => {
  const vm: VmFacts = {
    id: `${ITEMS}app-01`,
    name: 'app-01',
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent'],
  };
  const channelBlock = (privateMetadata: string) =>
    (requestModal({ vms: [vm], now: NOW, privateMetadata }).blocks as unknown as Block[]).find(
      (b) => b.block_id === BLOCK.channel,
    );

  it('goes to the only allowed channel; with several or none allowed the modal asks for one', () => {
    expect(homeChannel(['C1'])).toBe('C1');
    expect(homeChannel(['C1', 'C2'])).toBeUndefined();
    expect(homeChannel(undefined)).toBeUndefined();
    expect(channelBlock(encodeRequestMetadata({}))).toMatchObject({
      type: 'input',
      element: { type: 'conversations_select', action_id: ACTION.channel },
    });
    expect(channelBlock(encodeRequestMetadata({ channelId: 'C1' }))).toBeUndefined();
  });

  const picked = (channel: string | null) => ({
    [BLOCK.channel]: { [ACTION.channel]: { type: 'conversations_select', selected_conversation: channel } },
  });

  it('takes the channel picked in the modal, refusing inline one the allow-list does not name', () => {
    expect(requestChannel({}, picked('C2'), ['C1', 'C2'])).toEqual({ channelId: 'C2' });
    expect(requestChannel({}, picked('C9'), undefined)).toEqual({ channelId: 'C9' });
    expect(requestChannel({}, picked('C3'), ['C1', 'C2'])).toEqual({
      error: expect.stringMatching(/not enabled in that channel/),
      block: BLOCK.channel,
    });
    expect(requestChannel({}, picked(null), ['C1', 'C2'])).toEqual({
      error: expect.stringMatching(/Choose the channel/),
      block: BLOCK.channel,
    });
  });

  it('keeps /failback’s channel (checked against the allow-list) when the modal came from a channel', () => {
    expect(requestChannel({ channelId: 'C1' }, picked('C2'), ['C1'])).toEqual({ channelId: 'C1' });
    expect(requestChannel({ channelId: 'C7' }, {}, ['C1'])).toEqual({
      error: expect.stringMatching(/not enabled in the channel this request came from/),
    });
  });
});
