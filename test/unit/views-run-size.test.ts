import type { KnownBlock, View } from '@slack/types';
import { ACTION, BLOCK, STATIC_SELECT_MAX } from '../../src/bot/ids';
import {
  asrJobLink,
  confirmCommitModal,
  requestModal,
  runCard,
  runSummary,
  verificationPrompt,
} from '../../src/bot/views';
import { commitReminder } from '../../src/bot/views/commit-reminder';
import { runTimeline } from '../../src/bot/views/run-timeline';
import { MAX_VMS_PER_RUN_LIMIT } from '../../src/domain/preflight';
import type { AuditEntry } from '../../src/domain/run-machine';
import type { Run, RunVm } from '../../src/domain/run';
import type { VmFacts } from '../../src/domain/vm';
import { assertWithinSlackLimits, mrkdwnTexts } from './views-limits';

// ---- fixtures: the largest run FAILBACK_MAX_VMS_PER_RUN allows --------------------------------

const NOW = new Date('2026-11-28T12:00:00.000Z');
const AT = '2026-11-28T11:00:00.000Z';
const VMS = MAX_VMS_PER_RUN_LIMIT; // 500
const FAILED = 230;
/** A long ASR message with text that must stay escaped. */
const ASR_ERROR = `<!channel> Protection couldn't be enabled & the mobility agent <https://evil|click> is not reachable. ${'Retry after checking the process server. '.repeat(40)}`;
const guid = (i: number, step: number) =>
  `${String(step).padStart(8, '0')}-1111-2222-3333-${String(i).padStart(12, '0')}`;
/** VM names as long as the lines allow, each findable by its number. */
const nameOf = (i: number) => `vm-${String(i).padStart(3, '0')}-${'n'.repeat(90)}`;
const jobLink = asrJobLink('https://management.azure.com');
/** Items of a vault with long names: the job links are as long as they get. */
const itemId = (i: number) =>
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/avs-disaster-recovery-resource-group-with-a-long-name' +
  `/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault-with-a-rather-long-name/replicationFabrics/cs01/replicationProtectionContainers/cloud_1/replicationProtectedItems/${i}`;

function bigVm(i: number, over: Partial<RunVm> = {}): RunVm {
  const failed = i % 2 === 0 && i < 2 * FAILED; // 230 failed, spread over the run
  return {
    id: itemId(i),
    name: nameOf(i),
    osType: 'Windows',
    failover: failed
      ? { status: 'failed', jobName: guid(i, 1), endedAt: AT, error: ASR_ERROR }
      : { status: 'succeeded', jobName: guid(i, 1), endedAt: AT },
    shutdown: failed ? 'unknown' : 'failed',
    ...over,
  };
}

function bigRun(over: Partial<Run> = {}): Run {
  return {
    id: 'FB-7',
    version: 9,
    createdAt: '2026-11-28T10:00:00.000Z',
    requesterId: 'UREQ',
    channelId: 'CINC',
    incident: 'INC-1234',
    reason: 'AVS is healthy again',
    recoveryPoint: { kind: 'latest' },
    vms: Array.from({ length: VMS }, (_, i) => bigVm(i)),
    ...over,
  };
}

/** The same run after the commit and the reprotect: three ASR jobs per VM, all linked. */
const doneRun = (): Run =>
  bigRun({
    commit: { approvedBy: 'UAPP', approvedAt: AT },
    reprotect: { requestedBy: 'UAPP', requestedAt: AT, round: 1, windowEndsAt: AT, choices: {} },
    vms: Array.from({ length: VMS }, (_, i) =>
      bigVm(i, {
        failover: { status: 'succeeded', jobName: guid(i, 1), endedAt: AT },
        commit: { status: 'succeeded', jobName: guid(i, 2), endedAt: AT },
        reprotect: { status: 'succeeded', jobName: guid(i, 3), endedAt: AT, attempt: 4 },
      }),
    ),
  });

const approvers = { users: ['UAPP1', 'UAPP2'], groups: ['SOPS'] };
const joined = (v: unknown) => mrkdwnTexts(v).join('\n');

/** How many VM lines a message shows (`*vm-042-…*`), and how many it says it left out. */
function shownAndHidden(subject: unknown, lineStart = /\*vm-\d{3}-/g): { shown: number; hidden: number } {
  const text = joined(subject);
  const hidden = /…and (\d+) more VMs: see the run report \(`\/failback report FB-7`\)/.exec(text);
  return { shown: text.match(lineStart)?.length ?? 0, hidden: Number(hidden?.[1] ?? 0) };
}

function expectSummarised(subject: unknown, total: number, lineStart?: RegExp): void {
  const { shown, hidden } = shownAndHidden(subject, lineStart);
  expect(hidden).toBeGreaterThan(0);
  expect(shown + hidden).toBe(total);
}

// ---- every message of a 500-VM run fits Slack ------------------------------------------------

describe(`a run of ${VMS} VMs of which ${FAILED} failed with long ASR messages`, () => {
  it('has a verification prompt within Slack’s limits that counts the VMs it does not show', () => {
    const prompt = verificationPrompt(bigRun(), approvers, NOW);
    assertWithinSlackLimits(prompt);
    expectSummarised(prompt, VMS);
    // What an approver needs is still there: the counts, the checklist and every button.
    const text = joined(prompt);
    expect(text).toContain(`${VMS - FAILED} of ${VMS} VMs failed over`);
    expect(text).toContain('Before committing, check');
    const actions = prompt.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(actions.map((e) => ('action_id' in e ? e.action_id : ''))).toEqual([
      ACTION.retryFailover,
      ACTION.leaveOut,
      ACTION.commit,
    ]);
  });

  it('has a verification prompt within Slack’s limits while the failed VMs are retried', () => {
    const retrying = bigRun({
      vms: bigRun().vms.map((v) => (v.failover.status === 'failed' ? { ...v, failover: { status: 'running' } } : v)),
    });
    const prompt = verificationPrompt(retrying, approvers, NOW);
    assertWithinSlackLimits(prompt);
    expect(prompt.text.length).toBeLessThan(3000);
  });

  it.each<[string, () => Run]>([
    ['waiting for the commit', () => bigRun()],
    ['protected again, with three linked ASR jobs per VM', doneRun],
  ])('has a run card within Slack’s limits that counts the VMs it does not show, %s', (_, make) => {
    const card = runCard(make(), NOW, { jobLink });
    assertWithinSlackLimits(card);
    expectSummarised(card, VMS);
  });

  it('has a run card that still fits beside the status timeline', () => {
    const card = runCard(doneRun(), NOW, { jobLink, maxBlocks: 43 });
    expect(card.blocks.length).toBeLessThanOrEqual(43);
    expectSummarised(card, VMS);
    expect(card.blocks.at(-1)).toMatchObject({ type: 'context' }); // “Last updated …” is never cut off
  });

  it('has a closing summary within Slack’s limits that counts the VMs it does not show', () => {
    const summary = runSummary(doneRun(), []);
    assertWithinSlackLimits(summary);
    expectSummarised(summary, VMS, /• \*vm-\d{3}-/g);
    expect(summary.blocks.at(-1)).toMatchObject({ type: 'actions' }); // the report upload button
  });

  it('has a commit confirmation within the modal’s limits that names every Azure VM it deletes', () => {
    const view = confirmCommitModal(bigRun());
    assertWithinSlackLimits(view);
    const text = joined(view);
    expect(text).toContain(`that will be deleted (${VMS - FAILED})`);
    expect(text.match(/• vm-\d{3}-/g)).toHaveLength(VMS - FAILED);
    expect(text).not.toContain('more VMs');
    expect(text).toContain(`${FAILED} VMs whose failover failed are not committed`);
  });

  it('has a commit reminder within Slack’s limits', () => {
    assertWithinSlackLimits(
      commitReminder(bigRun(), { n: 3, approvers, waitingSince: AT, now: NOW, nextInMs: 3_600_000 }),
    );
  });

  it('has a status timeline within its blocks whatever the length of the trail', () => {
    const trail: AuditEntry[] = bigRun().vms.flatMap((v) => [
      { at: AT, what: 'failover started', vm: v.name, jobName: v.failover.jobName },
      { at: AT, what: 'failover failed', vm: v.name, jobName: v.failover.jobName, detail: ASR_ERROR },
    ]);
    const blocks = runTimeline(trail, 6);
    expect(blocks.length).toBeLessThanOrEqual(6);
    assertWithinSlackLimits(blocks);
    expect(joined(blocks)).toMatch(/…and \d+ more events/);
  });

  it('keeps ASR’s messages and the VM names escaped', () => {
    for (const t of mrkdwnTexts([verificationPrompt(bigRun(), approvers, NOW), runCard(bigRun(), NOW, { jobLink })])) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<https://evil');
    }
  });
});

describe('a small run', () => {
  it('lists every VM and says nothing about the run report', () => {
    const three = (r: Run): Run => ({ ...r, vms: r.vms.slice(0, 3) });
    const run = three(bigRun());
    for (const subject of [
      verificationPrompt(run, approvers, NOW),
      runCard(run, NOW, { jobLink }),
      runSummary(three(doneRun()), []),
      confirmCommitModal(run),
    ]) {
      expect(joined(subject)).not.toContain('see the run report');
    }
    expect(shownAndHidden(runCard(run, NOW)).shown).toBe(3);
  });
});

// ---- the request form holds to FAILBACK_MAX_VMS_PER_RUN ----------------------------------------

describe('the request form', () => {
  const facts = (n: number): VmFacts[] =>
    Array.from({ length: n }, (_, i) => ({
      id: itemId(i),
      name: `app-${i}`,
      failback: { ready: true },
      pointChoices: ['latest'],
    }));
  const vmSelect = (view: View) =>
    (view.blocks as KnownBlock[]).find((b) => b.block_id === BLOCK.vms) as unknown as {
      element: Record<string, unknown>;
      hint?: { text: string };
    };

  it.each([
    ['a static select', 10],
    ['a searchable select', STATIC_SELECT_MAX + 1],
  ])('lets no more VMs be chosen than one run may take, in %s', (_, ready) => {
    const view = requestModal({ vms: facts(ready), now: NOW, maxVmsPerRun: 25 });
    expect(vmSelect(view).element.max_selected_items).toBe(25);
    expect(vmSelect(view).hint?.text).toBe('At most 25 VMs per run.');
    assertWithinSlackLimits(view);
  });

  it('holds to 100 VMs when no maximum is given', () => {
    expect(vmSelect(requestModal({ vms: facts(3), now: NOW })).element.max_selected_items).toBe(100);
  });

  it('never pre-selects more VMs than the maximum', () => {
    const vms = facts(40);
    const el = vmSelect(requestModal({ vms, selected: vms, now: NOW, maxVmsPerRun: 25 })).element;
    expect(el.initial_options).toHaveLength(25);
  });
});
