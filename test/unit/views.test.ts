import { runHistory } from '../../src/bot/views/history';
import type { KnownBlock, View } from '@slack/types';
import { ACTION, BLOCK, CALLBACK, STATIC_SELECT_MAX } from '../../src/bot/ids';
import {
  confirmCommitModal,
  formatAge,
  helpText,
  loadingModal,
  optionKey,
  requestErrorModal,
  requestModal,
  runCard,
  verificationPrompt,
} from '../../src/bot/views';
import type { OpState, Run, RunVm } from '../../src/domain/run';
import type { VmFacts } from '../../src/domain/vm';
import { allTexts, assertWithinSlackLimits, mrkdwnTexts, slackLimitViolations } from './views-limits';

// ---- fixtures -------------------------------------------------------------------------------

const NOW = new Date('2026-11-28T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const EVIL = '<!channel> <https://evil|click> & <@U999>';
const LONG = 'x'.repeat(5000);
const ITEMS =
  '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/f/replicationProtectionContainers/c/replicationProtectedItems/';

function vm(name: string, over: Partial<VmFacts> = {}): VmFacts {
  return {
    id: `${ITEMS}${name}`,
    name,
    failback: { ready: true },
    pointChoices: ['latest', 'latest-app-consistent'],
    ...over,
  };
}
const notReady = (name: string, reason = 'is not reprotected to AVS'): VmFacts =>
  vm(name, { failback: { ready: false, reason } });
const many = (n: number, make: (i: number) => VmFacts = (i) => vm(`app-${i}`)): VmFacts[] =>
  Array.from({ length: n }, (_, i) => make(i));

function runVm(name: string, failover: Partial<OpState> = {}, over: Partial<RunVm> = {}): RunVm {
  return {
    id: `${ITEMS}${name}`,
    name,
    failover: { status: 'succeeded', jobName: `job-${name}`, endedAt: ago(3), ...failover },
    shutdown: 'succeeded',
    ...over,
  };
}
function run(over: Partial<Run> = {}): Run {
  return {
    id: 'FB-7',
    version: 3,
    createdAt: ago(30),
    requesterId: 'UREQ',
    channelId: 'CINC',
    incident: 'INC-1234',
    reason: 'AVS is healthy again',
    recoveryPoint: { kind: 'latest' },
    vms: [runVm('app-01')],
    ...over,
  };
}
const failed = (name: string, error = 'The operation failed.') =>
  runVm(name, { status: 'failed', error }, { shutdown: 'unknown' });
const bigRun = (): Run =>
  run({
    incident: EVIL + LONG,
    reason: EVIL + LONG,
    vms: Array.from({ length: 200 }, (_, i) =>
      i % 3 === 0
        ? failed(`${EVIL}-${i}-${LONG}`, `${EVIL} ${LONG}`)
        : runVm(`${EVIL}-${i}-${LONG}`, { jobName: `${LONG}-${i}` }, { osType: 'Windows', shutdown: 'failed' }),
    ),
  });
const approvers = { users: ['UAPP1', 'UAPP2'], groups: ['SOPS'] };

const blocksOf = (v: View | { blocks: KnownBlock[] }) => v.blocks as unknown as Array<Record<string, unknown>>;
const byId = (v: View | { blocks: KnownBlock[] }, id: string) => blocksOf(v).find((b) => b.block_id === id);
const element = (v: View, id: string) => byId(v, id)?.element as Record<string, unknown> | undefined;
const joined = (v: unknown) => mrkdwnTexts(v).join('\n');

function expectEscaped(subject: unknown): void {
  const texts = mrkdwnTexts(subject);
  for (const t of texts) {
    expect(t).not.toContain('<!channel>');
    expect(t).not.toContain('<https://evil');
    expect(t).not.toContain('<@U999>');
  }
  expect(texts.join('\n')).toContain('&lt;!channel&gt;');
}

// ---- helpers ----------------------------------------------------------------------------------

describe('the Slack limits helper', () => {
  it('reports what Slack would refuse', () => {
    const bad = {
      type: 'modal',
      title: { type: 'plain_text', text: 'a title longer than 24 characters' },
      blocks: [{ type: 'input', label: { type: 'plain_text', text: 'x' }, element: { type: 'plain_text_input' } }],
    };
    expect(slackLimitViolations(bad)).toEqual(
      expect.arrayContaining([expect.stringContaining('/title/text'), expect.stringContaining('/submit')]),
    );
    expect(slackLimitViolations(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toHaveLength(1);
  });
});

describe('formatAge', () => {
  it.each([
    [ago(0), 'just now'],
    [new Date(NOW.getTime() + 30_000).toISOString(), 'just now'],
    [ago(4), '4 min ago'],
    [ago(59), '59 min ago'],
    [ago(60), '1 h ago'],
    [ago(125), '2 h 5 min ago'],
    [ago(3 * 24 * 60 + 7), '3 d ago'],
    ['not a date', 'at an unknown time'],
  ])('says %s is “%s”', (iso, expected) => {
    expect(formatAge(iso, NOW)).toBe(expected);
  });
});

describe('optionKey', () => {
  it('keeps an id of at most 150 characters as it is', () => {
    expect(optionKey(`${ITEMS}vm`.slice(0, 150))).toBe(`${ITEMS}vm`.slice(0, 150));
  });
  it('turns a longer id into a short stable key', () => {
    const id = `${ITEMS}${'v'.repeat(200)}`;
    expect(optionKey(id)).toMatch(/^k:[0-9a-f]{40}$/);
    expect(optionKey(id)).toBe(optionKey(id));
    expect(optionKey(id)).not.toBe(optionKey(`${id}2`));
  });
});

// ---- request modal ------------------------------------------------------------------------------

describe('the request modal', () => {
  describe.each<[string, () => View]>([
    ['the loading view', () => loadingModal()],
    ['an ASR error', () => requestErrorModal(`${EVIL}\n${LONG}`)],
    ['1 ready VM', () => requestModal({ vms: [vm('app-01')], now: NOW })],
    [
      '200 ready VMs, all selected with long names',
      () => {
        const vms = many(200, (i) =>
          vm(`${EVIL}-${i}-${LONG}`, {
            points: { count: 2, latestCrashConsistent: ago(4), latestAppConsistent: ago(52) },
          }),
        );
        return requestModal({ vms, selected: vms, now: NOW, privateMetadata: '{"channelId":"C1"}' });
      },
    ],
    [
      '100 ready and 200 not ready VMs with long reasons',
      () =>
        requestModal({
          vms: [...many(100), ...many(200, (i) => notReady(`${EVIL}${i}${LONG}`, EVIL + LONG))],
          now: NOW,
        }),
    ],
    ['no ready VM', () => requestModal({ vms: many(200, (i) => notReady(`vm-${i}`)), now: NOW })],
    ['an empty vault', () => requestModal({ vms: [], now: NOW })],
  ])('for %s', (_, build) => {
    it('respects Slack’s limits', () => {
      const view = build();
      assertWithinSlackLimits(view);
      expect(view.callback_id).toBe(CALLBACK.request);
    });
  });

  it('offers only the ready VMs, by name, and reads points when the selection changes', () => {
    const view = requestModal({ vms: [vm('app-01'), notReady('db-01'), vm('web-01')], now: NOW });
    const vms = byId(view, BLOCK.vms)!;
    expect(vms.dispatch_action).toBe(true);
    const el = element(view, BLOCK.vms)!;
    expect(el).toMatchObject({ type: 'multi_static_select', action_id: ACTION.vms });
    expect((el.options as Array<{ text: { text: string }; value: string }>).map((o) => [o.text.text, o.value])).toEqual(
      [
        ['app-01', optionKey(`${ITEMS}app-01`)],
        ['web-01', optionKey(`${ITEMS}web-01`)],
      ],
    );
    expect(view).toMatchObject({ submit: { text: 'Start failback' }, close: { text: 'Cancel' } });
  });

  it(`switches to a searchable external select beyond ${STATIC_SELECT_MAX} ready VMs`, () => {
    const vms = many(STATIC_SELECT_MAX + 1);
    const el = element(requestModal({ vms, selected: [vms[150 % vms.length]!], now: NOW }), BLOCK.vms)!;
    expect(el).toMatchObject({ type: 'multi_external_select', action_id: ACTION.vms, min_query_length: 0 });
    expect(el.options).toBeUndefined();
    expect(el.initial_options).toEqual([
      { text: expect.objectContaining({ text: 'app-49' }), value: optionKey(`${ITEMS}app-49`) },
    ]);
    expect(element(requestModal({ vms: many(STATIC_SELECT_MAX), now: NOW }), BLOCK.vms)!.type).toBe(
      'multi_static_select',
    );
  });

  it('keeps the selected VMs selected, with short ids as values and a key for long ones', () => {
    const short = vm('short', { id: '/items/short' });
    const long = vm('long', { id: `${ITEMS}${'l'.repeat(200)}` });
    const el = element(requestModal({ vms: [short, long], selected: [long], now: NOW }), BLOCK.vms)!;
    expect(el.initial_options).toEqual([
      { text: expect.objectContaining({ text: 'long' }), value: optionKey(long.id) },
    ]);
    expect((el.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['/items/short', optionKey(long.id)]);
  });

  it('names the VMs that are not ready and why, ten at most', () => {
    const view = requestModal({
      vms: [vm('app-01'), ...many(13, (i) => notReady(`db-${i}`, `reason ${i}`))],
      now: NOW,
    });
    const text = joined(view);
    expect(text).toContain('db-0 — reason 0');
    expect(text).toContain('db-9 — reason 9');
    expect(text).not.toContain('db-10');
    expect(text).toContain('and 3 more');
  });

  it('explains what to check when no VM is ready, and offers no submit', () => {
    const view = requestModal({ vms: [notReady('db-01')], now: NOW });
    expect(view).not.toHaveProperty('submit');
    expect(blocksOf(view).some((b) => b.type === 'input')).toBe(false);
    expect(joined(view)).toMatch(/reprotected to AVS.*at least one recovery point/s);
  });

  it('recommends the latest crash-consistent point and offers the app-consistent one', () => {
    const el = element(requestModal({ vms: [vm('a')], now: NOW }), BLOCK.recoveryPoint)!;
    expect(el).toMatchObject({
      type: 'static_select',
      action_id: ACTION.recoveryPoint,
      initial_option: { value: 'latest' },
    });
    expect((el.options as Array<{ value: string; text: { text: string } }>).map((o) => [o.value, o.text.text])).toEqual(
      [
        ['latest', 'Latest (crash-consistent) — recommended'],
        ['latest-app-consistent', 'Latest app-consistent — older, some data loss'],
      ],
    );
    expect(byId(requestModal({ vms: [vm('a')], now: NOW }), BLOCK.recoveryPoint)!.hint).toBeDefined();
  });

  it('asks for an incident reference and a reason', () => {
    const view = requestModal({ vms: [vm('a')], now: NOW });
    expect(element(view, BLOCK.incident)).toMatchObject({
      action_id: ACTION.incident,
      max_length: 100,
      placeholder: { text: 'INC-1234' },
    });
    expect(element(view, BLOCK.reason)).toMatchObject({ action_id: ACTION.reason, multiline: true, max_length: 1000 });
  });

  describe('when VMs are selected', () => {
    const selected = [
      vm('app-01', { points: { count: 5, latestCrashConsistent: ago(4), latestAppConsistent: ago(52) } }),
      vm('db-01', { points: { count: 0 } }),
      vm('web-01'),
    ];
    const view = requestModal({ vms: selected, selected, now: NOW });

    it.each([
      ['app-01', '4 min ago'],
      ['app-01', '52 min ago'],
      ['db-01', 'no recovery point'],
      ['web-01', 'not checked yet'],
    ])('shows %s’s recovery points (%s)', (name, text) => {
      const line = (byId(view, BLOCK.rpo)!.text as { text: string }).text.split('\n').find((l) => l.includes(name));
      expect(line).toContain(text);
    });

    it('says what an app-consistent point costs', () => {
      expect((byId(view, BLOCK.rpo)!.text as { text: string }).text).toMatch(/app-consistent.*lost/i);
    });

    it('shows no recovery-point block before any VM is chosen', () => {
      expect(byId(requestModal({ vms: selected, now: NOW }), BLOCK.rpo)).toBeUndefined();
    });
  });

  it('escapes VM names and reasons from ASR', () => {
    const evil = vm(EVIL, { points: { count: 1, latestCrashConsistent: ago(1) } });
    expectEscaped(requestModal({ vms: [evil, notReady(EVIL, EVIL)], selected: [evil], now: NOW }));
  });

  it('shows ASR’s message escaped when the vault cannot be read', () => {
    const view = requestErrorModal(EVIL);
    expectEscaped(view);
    expect(joined(view)).toMatch(/try .*again/i);
    expect(view).not.toHaveProperty('submit');
  });
});

// ---- run card ---------------------------------------------------------------------------------

describe('the run card', () => {
  it.each<[string, Run]>([
    ['1 VM', run()],
    ['200 VMs with long names, messages, incident and reason', bigRun()],
    [
      '200 committed VMs',
      run({
        commit: { approvedBy: 'UAPP1', approvedAt: ago(1) },
        vms: bigRun().vms.map((v) => ({ ...v, commit: { status: 'succeeded', jobName: LONG } })),
      }),
    ],
  ])('respects Slack’s limits with %s', (_, r) => {
    assertWithinSlackLimits(runCard(r, NOW));
  });

  it.each<[string, Run, string]>([
    ['failing over', run({ vms: [runVm('a', { status: 'running' })] }), 'Failing back…'],
    ['waiting for the commit', run(), 'Waiting for an approver to commit'],
    ['committing', run({ commit: { approvedBy: 'UAPP1', approvedAt: ago(1) } }), 'Committing…'],
    [
      'committed',
      run({
        commit: { approvedBy: 'UAPP1', approvedAt: ago(1) },
        vms: [runVm('a', {}, { commit: { status: 'succeeded' } })],
      }),
      'Committed — ready for reprotect',
    ],
    ['failed', run({ vms: [failed('a')] }), 'Failed'],
  ])('heads the card with the run id and the phase when %s', (_, r, phase) => {
    const header = runCard(r, NOW).blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text).toBe(`Failback FB-7 — ${phase}`);
  });

  it('shows requester, target, recovery point, incident and reason', () => {
    const text = joined(
      runCard(run({ vms: [runVm('app-01'), runVm('db-01')], recoveryPoint: { kind: 'latest-app-consistent' } }), NOW),
    );
    expect(text).toContain('<@UREQ>');
    expect(text).toContain('app-01, db-01');
    expect(text).toContain('Latest app-consistent');
    expect(text).toContain('INC-1234');
    expect(text).toContain('AVS is healthy again');
  });

  it.each<[string, RunVm, Run['commit'], string]>([
    ['waits', runVm('a', { status: 'pending', jobName: undefined }), undefined, 'a* — waiting to start'],
    [
      'runs a task',
      runVm('a', {
        status: 'running',
        progress: { task: 'Shut down the virtual machine in Azure', done: 2, total: 4 },
      }),
      undefined,
      'failover running — Shut down the virtual machine in Azure (2/4) · failover',
    ],
    ['failed over', runVm('a'), undefined, 'failed over · failover'],
    ['failed', failed('a', 'Disk <b> gone'), undefined, 'failover failed: Disk &lt;b&gt; gone'],
    ['commits', runVm('a'), { approvedBy: 'U1', approvedAt: ago(1) }, 'committing'],
    [
      'committed',
      runVm('a', {}, { commit: { status: 'succeeded', jobName: 'job-c' } }),
      { approvedBy: 'U1', approvedAt: ago(1) },
      'committed · failover · commit',
    ],
  ])('shows a VM that %s', (_, v, commit, expected) => {
    expect(joined(runCard(run({ vms: [v], commit }), NOW))).toContain(expected);
  });

  it('escapes the incident, the reason, VM names and ASR’s messages, and its fallback text', () => {
    const card = runCard(run({ incident: EVIL, reason: EVIL, vms: [failed(EVIL, EVIL)] }), NOW);
    expectEscaped(card);
    for (const t of mrkdwnTexts(card).filter((t) => t.includes('channel'))) expect(t).toContain('&lt;!channel&gt;');
    expect(card.text).not.toContain('<!channel>');
    expect(card.text).toContain('&lt;!channel&gt;');
  });

  it('groups several VMs per section when there are many', () => {
    const card = runCard(run({ vms: Array.from({ length: 200 }, (_, i) => runVm(`app-${i}`)) }), NOW);
    expect(card.blocks.length).toBeLessThan(10);
    expect(joined(card)).toContain('*app-199* — failed over');
  });

  it('says how many VMs are not shown when even grouped lines do not fit', () => {
    const vms = Array.from({ length: 600 }, (_, i) => failed(`${LONG}${i}`, LONG));
    const card = runCard(run({ vms }), NOW);
    assertWithinSlackLimits(card);
    expect(joined(card)).toMatch(/…and \d+ more VMs/);
  });

  it('shows when it was last updated', () => {
    expect(joined(runCard(run(), NOW))).toContain('Last updated 12:00 UTC');
  });
});

// ---- verification prompt -------------------------------------------------------------------------

describe('the verification prompt', () => {
  const commitButton = (r: Run) =>
    verificationPrompt(r, approvers, NOW)
      .blocks.filter((b) => b.type === 'actions')
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => 'action_id' in e && e.action_id === ACTION.commit);

  it.each<[string, Run]>([
    ['1 VM', run()],
    ['200 VMs with long names and messages', bigRun()],
    ['200 VMs after the commit was approved', { ...bigRun(), commit: { approvedBy: 'UAPP1', approvedAt: ago(1) } }],
    ['many approvers', run()],
  ])('respects Slack’s limits with %s', (_, r) => {
    assertWithinSlackLimits(verificationPrompt(r, { users: many(300).map((_, i) => `U${i}`), groups: ['S1'] }, NOW));
  });

  describe('the Commit button', () => {
    it('commits the failed-over VMs of a run waiting for the commit, and counts them', () => {
      const button = commitButton(run({ vms: [runVm('a'), runVm('b'), failed('c')] }));
      expect(button).toMatchObject({
        type: 'button',
        value: 'FB-7',
        style: 'danger',
        text: { text: 'Commit 2 of 3 VMs' },
      });
      expect(commitButton(run())).toMatchObject({ text: { text: 'Commit 1 VM' } });
      expect(commitButton(run({ vms: [runVm('a'), runVm('b')] }))).toMatchObject({ text: { text: 'Commit 2 VMs' } });
    });

    it.each<[string, Run]>([
      ['the failover still runs', run({ vms: [runVm('a'), runVm('b', { status: 'running' })] })],
      ['nothing failed over', run({ vms: [failed('a'), failed('b')] })],
      ['the commit was approved', run({ commit: { approvedBy: 'UAPP1', approvedAt: ago(1) } })],
    ])('is not offered when %s', (_, r) => {
      expect(commitButton(r)).toBeUndefined();
    });

    it('is replaced by who approved the commit, and when', () => {
      const prompt = verificationPrompt(
        run({ commit: { approvedBy: 'UAPP1', approvedAt: '2026-11-28T11:58:30.000Z' } }),
        approvers,
        NOW,
      );
      expect(prompt.blocks.some((b) => b.type === 'actions')).toBe(false);
      expect(joined(prompt)).toContain('Commit approved by <@UAPP1> at 11:58 UTC');
    });

    it('says nothing can be committed when nothing failed over', () => {
      expect(joined(verificationPrompt(run({ vms: [failed('a')] }), approvers, NOW))).toMatch(/nothing to commit/);
    });
  });

  it.each<[RunVm['shutdown'], string]>([
    ['succeeded', 'Azure VM shut down'],
    ['failed', 'ASR could not shut the Azure VM down — check it in the portal before committing'],
    ['unknown', 'shutdown not reported'],
    [undefined, 'shutdown not reported'],
  ])('reports ASR’s shutdown of the Azure VM as %s', (shutdown, text) => {
    expect(joined(verificationPrompt(run({ vms: [runVm('a', {}, { shutdown })] }), approvers, NOW))).toContain(text);
  });

  it.each<[string, string | undefined, boolean]>([
    ['Windows', 'Windows', true],
    ['Linux', 'Linux', false],
    ['unknown', undefined, false],
  ])('notes VMware Tools for %s VMs: %s', (_, osType, shown) => {
    const text = joined(verificationPrompt(run({ vms: [runVm('a', {}, { osType })] }), approvers, NOW));
    expect(text.includes('disabled VMware Tools during the failover')).toBe(shown);
  });

  it('shows each VM’s outcome with ASR’s message escaped, a checklist and the approvers', () => {
    const prompt = verificationPrompt(run({ vms: [runVm('app-01'), failed(EVIL, EVIL)] }), approvers, NOW);
    const text = joined(prompt);
    expect(text).toContain('*app-01* — failed over');
    expect(text).toMatch(/application.*AVS/);
    expect(text).toMatch(/Azure VMs are shut down/);
    expect(text).toContain('<@UAPP1>, <@UAPP2>, <!subteam^SOPS>');
    expectEscaped(prompt);
  });
});

describe('partial failure on the prompt', () => {
  const actionIds = (r: Run) =>
    verificationPrompt(r, approvers, NOW)
      .blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .map((e) => ('action_id' in e ? e.action_id : undefined));

  it('offers Retry failover and Leave out next to Commit while a failed VM awaits a decision', () => {
    const r = run({ vms: [runVm('a'), failed('b')] });
    expect(actionIds(r)).toEqual([ACTION.retryFailover, ACTION.leaveOut, ACTION.commit]);
    expect(joined(verificationPrompt(r, approvers, NOW))).toMatch(/1 VM did not fail over/);
  });

  it('shows a left-out VM with who left it out and the escaped reason, and offers no retry', () => {
    const r = run({
      vms: [runVm('a'), failed('b', 'boom')].map((v) =>
        v.name === 'b' ? { ...v, leftOut: { by: 'UAPP1', at: ago(1), reason: EVIL } } : v,
      ),
    });
    expect(actionIds(r)).toEqual([ACTION.commit]);
    const prompt = verificationPrompt(r, approvers, NOW);
    expect(joined(prompt)).toContain('left out by <@UAPP1>: &lt;!channel&gt;');
    expectEscaped(prompt);
    expect(joined(runCard(r, NOW))).toContain(':heavy_minus_sign: *b* — failover failed: boom · left out by <@UAPP1>');
  });

  it('says a retry runs and offers nothing to click meanwhile', () => {
    const r = run({ vms: [runVm('a'), runVm('b', { status: 'running', attempt: 2 })] });
    const prompt = verificationPrompt(r, approvers, NOW);
    expect(actionIds(r)).toEqual([]);
    expect(joined(prompt)).toMatch(/retrying the failover of b/);
  });
});

describe('recovery plans in the views', () => {
  const plan = (name: string, n = 2) => ({
    id: `/plans/${name}`,
    name,
    vmIds: Array.from({ length: n }, (_, i) => `${ITEMS}m${i}`),
    failsBack: true,
    failback: { ready: true } as const,
    pointChoices: ['latest', 'latest-app-consistent'] as const,
  });

  it('offers VMs or one plan, both optional, with a hint that says so', () => {
    const v = requestModal({ vms: [vm('app-01')], plans: [plan('p1')], now: NOW });
    expect(byId(v, BLOCK.vms)).toMatchObject({ optional: true });
    expect(byId(v, BLOCK.plan)).toMatchObject({
      optional: true,
      dispatch_action: true,
      hint: { text: expect.stringMatching(/not both/) },
    });
    expect(element(v, BLOCK.plan)).toMatchObject({
      type: 'static_select',
      options: [{ text: { text: 'p1 (2 VMs)' } }],
    });
  });

  it('searches the plans beyond 100', () => {
    const plans = Array.from({ length: STATIC_SELECT_MAX + 1 }, (_, i) => plan(`p${i}`));
    const v = requestModal({ vms: [vm('app-01')], plans, now: NOW });
    expect(element(v, BLOCK.plan)).toMatchObject({ type: 'external_select', min_query_length: 0 });
    assertWithinSlackLimits(v);
  });

  it('lists a chosen plan’s VMs with their recovery-point ages and offers no specific point', () => {
    const members = [
      vm('m0', { points: { count: 2, latestCrashConsistent: ago(5), latestAppConsistent: ago(65) } }),
      vm('m1'),
    ];
    const v = requestModal({
      vms: members,
      plans: [plan('p1')],
      selectedPlan: { plan: plan('p1'), members },
      now: NOW,
    });
    expect(joined(v)).toContain('*Recovery plan p1* — 2 VMs: m0, m1');
    expect(joined(byId(v, BLOCK.rpo))).toContain(
      '*m0* — latest crash-consistent: 5 min ago · latest app-consistent: 1 h 5 min ago',
    );
    expect(byId(v, BLOCK.specificPoint)).toBeUndefined();
  });

  it('names the plan on the card', () => {
    expect(joined(runCard(run({ plan: { id: '/plans/p1', name: 'p1' } }), NOW))).toContain(
      'Recovery plan *p1*: app-01',
    );
  });

  it('says since when a reprotect waits for the VM’s agent', () => {
    const waiting = runVm(
      'a',
      {},
      {
        commit: { status: 'succeeded' },
        reprotect: {
          status: 'waiting',
          attempt: 3,
          waitingFor: 'the VM’s agent',
          waitingSince: '2026-11-28T11:40:00.000Z',
          nextAttemptAt: '2026-11-28T12:01:00.000Z',
        },
      },
    );
    const r = run({
      vms: [waiting],
      commit: { approvedBy: 'U', approvedAt: ago(20) },
      reprotect: { requestedBy: 'U', requestedAt: ago(20), round: 1, windowEndsAt: ago(-10), choices: {} },
    });
    expect(joined(runCard(r, NOW))).toContain('waiting for the VM’s agent (since 11:40 UTC) — attempt 3 at 12:01 UTC');
  });
});

// ---- confirm commit modal ----------------------------------------------------------------------------

describe('the commit confirmation', () => {
  it.each<[string, Run]>([
    ['1 VM', run()],
    ['200 VMs with long names', bigRun()],
  ])('respects Slack’s limits with %s', (_, r) => {
    assertWithinSlackLimits(confirmCommitModal(r));
  });

  it('names exactly the failed-over Azure VMs that will be deleted, not the failed ones', () => {
    const view = confirmCommitModal(run({ vms: [runVm('app-01'), failed('db-01'), runVm('web-01')] }));
    const text = joined(view);
    expect(text).toContain('cannot be undone');
    expect(text).toContain('that will be deleted (2)');
    expect(text).toContain('• app-01\n• web-01');
    expect(text).not.toContain('db-01');
    expect(view).toMatchObject({
      callback_id: CALLBACK.confirmCommit,
      private_metadata: 'FB-7',
      title: { text: 'Commit failback' },
      submit: { text: 'Commit' },
      close: { text: 'Cancel' },
    });
  });

  it('shows the run, the incident (escaped) and the recovery point', () => {
    const view = confirmCommitModal(run({ incident: EVIL, vms: [runVm(EVIL)] }));
    expect(joined(view)).toMatch(/FB-7.*Latest \(crash-consistent\)/s);
    expectEscaped(view);
  });
});

describe('the help text', () => {
  it.each([
    '`/failback`',
    '`/failback help`',
    '`/failback status FB-7`',
    'preflight',
    'commit',
    'reprotect',
    'Four eyes',
  ])('mentions %s', (part) => {
    expect(helpText()).toContain(part);
  });

  it('is plain text a person reads in a few lines', () => {
    expect(helpText().split('\n').length).toBeLessThanOrEqual(8);
    expect(allTexts({ type: 'mrkdwn', text: helpText() })).toHaveLength(1);
  });
});

describe('run history', () => {
  it('lists runs newest first with target, outcome and who, escaping VM names', () => {
    const run = {
      id: 'FB-3',
      version: 1,
      createdAt: '2026-11-28T10:00:00.000Z',
      requesterId: 'UREQ',
      channelId: 'CINC',
      incident: 'INC',
      reason: 'r',
      recoveryPoint: { kind: 'latest' as const },
      vms: [{ id: '/i/a', name: '<!channel>', failover: { status: 'running' as const } }],
    };
    const h = runHistory([run]);
    const text = JSON.stringify(h.blocks);
    expect(text).toContain('*FB-3*');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('requested by <@UREQ>');
    expect(runHistory([]).text).toBe('No failback runs yet.');
  });
});
