import type { HomeView, KnownBlock } from '@slack/types';
import type { ReadinessReport } from '../../domain/readiness';
import { phaseOf, type Run } from '../../domain/run';
import { ACTION, BLOCK } from '../ids';
import { runHistory } from './history';
import { estateTitle, readinessLine } from './readiness';
import { vaultLabel } from '../../domain/vault';
import { PHASE_TEXT } from './run-card';
import { LIMITS, context, listWithin, packLines, plain, plural, safe, safeLine, section } from './text';
import { formatAge, utcTime } from './time';

export interface AppHomeInput {
  /**
   * Runs waiting for a commit that the viewer may approve (an approver, not the requester while
   * four-eyes is on), newest first; undefined when the viewer is no approver: no such section then.
   */
  readonly awaitingYou?: readonly Run[] | undefined;
  /** Active runs, newest first. */
  readonly active: readonly Run[];
  /** Active runs that were not read (beyond those listed). */
  readonly moreActive?: number | undefined;
  /** The newest runs, as `/failback history` lists them. */
  readonly recent: readonly Run[];
  readonly now: Date;
  /**
   * What the viewer may see and do: `all` (approvers, configured requesters) — every run and the
   * Request button; `own` — only the runs they requested, and how to request in the incident channel
   * (where Slack itself says who may type there).
   */
  readonly scope?: 'all' | 'own' | undefined;
  /** Readiness from the cache (`all` scope): null when the vaults' lists were not read lately. */
  readonly readiness?: { readonly vaults: string; readonly report: ReadinessReport | null } | undefined;
}

// Home tabs take 100 blocks; each list is packed into a few sections so the tab stays well inside that.
const WAITING_CHUNKS = 10;
const ACTIVE_CHUNKS = 15;

/**
 * The viewer's App Home: a button to request a failback, the runs waiting for their approval (for
 * approvers), the active runs with their phase, and recent history. Every typed or ASR text is escaped.
 */
export function appHome(input: AppHomeInput): HomeView {
  const blocks: KnownBlock[] = [...intro(input.scope !== 'own'), { type: 'divider' }];
  if (input.scope === 'own') blocks.push(context('Only the runs you requested are listed here.'));
  if (input.awaitingYou) blocks.push(...waitingSection(input.awaitingYou, input.now), { type: 'divider' });
  blocks.push(...activeSection(input.active, input.moreActive ?? 0), { type: 'divider' });
  if (input.readiness)
    blocks.push(...readinessSection(input.readiness.vaults, input.readiness.report), { type: 'divider' });
  blocks.push(...runHistory(input.recent).blocks);
  blocks.push(context(`Updated ${utcTime(input.now)} — open this tab again to refresh it.`));
  return { type: 'home', blocks };
}

const READINESS_HOME_ROWS = 5;

function readinessSection(vaults: string, report: ReadinessReport | null): KnownBlock[] {
  const title = `*Readiness of ${safeLine(report ? estateTitle(report) : vaults, 80)}*`;
  if (!report)
    return [
      section(
        `${title}\nNot read lately. \`/failback readiness\` in the incident channel reads it (and this tab shows it then).`,
      ),
    ];
  const c = report.counts.vm;
  const p = report.counts.plan;
  const plans =
    p.ready + p['at-risk'] + p.blocked > 0
      ? ` · plans: ${p.ready} ready, ${p['at-risk']} at risk, ${p.blocked} blocked`
      : '';
  const worst = report.rows.filter((r) => r.verdict !== 'ready').slice(0, READINESS_HOME_ROWS);
  const blocks: KnownBlock[] = [
    section(`${title}\nVMs: ${c.ready} ready, ${c['at-risk']} at risk, ${c.blocked} blocked${plans}`),
  ];
  for (const u of report.unreadable.slice(0, 10))
    blocks.push(
      section(`:no_entry_sign: *${safeLine(vaultLabel(u.vault), 100)}* cannot be read: ${safeLine(u.message, 300)}`),
    );
  const several = report.vaults.length > 1;
  if (worst.length > 0) blocks.push(section(worst.map((r) => readinessLine(r, several)).join('\n')));
  const read = report.listsReadAt ? `VMs read from ASR at ${utcTime(report.listsReadAt)}` : 'From the bot’s cache';
  blocks.push(context(`${read}; \`/failback readiness\` reads them again and lists every VM.`));
  return blocks;
}

/** Shown when the runs cannot be read (the store does not answer). */
export function appHomeUnavailable(message: string, now: Date): HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: plain('failback-bot', LIMITS.headerText) },
      section(`:warning: *Could not read the failback runs right now.*\n> ${safeLine(message, 1000)}`),
      section(
        'Runs already under way go on. Open this tab again in a minute; if it keeps failing, ask your platform team.',
      ),
      context(`Tried at ${utcTime(now)}.`),
    ],
  };
}

function intro(mayRequestHere: boolean): KnownBlock[] {
  const header: KnownBlock = { type: 'header', text: plain('failback-bot', LIMITS.headerText) };
  if (!mayRequestHere) {
    return [
      header,
      section(
        'Fail AVS VMs back from Azure with Azure Site Recovery. Request a failback with `/failback` in the incident channel; ' +
          'an approver commits it from the run’s verification prompt.',
      ),
    ];
  }
  return [
    header,
    section(
      'Fail AVS VMs back from Azure with Azure Site Recovery. Request a failback here or with `/failback` in the incident channel; ' +
        'an approver commits it from the run’s verification prompt.',
    ),
    {
      type: 'actions',
      block_id: BLOCK.homeActions,
      elements: [
        {
          type: 'button',
          action_id: ACTION.homeRequest,
          style: 'primary',
          text: plain('Request a failback', LIMITS.buttonText),
        },
      ],
    },
  ];
}

function waitingSection(runs: readonly Run[], now: Date): KnownBlock[] {
  const title = section(`*Waiting for your approval* (${runs.length})`, BLOCK.homeWaiting);
  if (runs.length === 0) return [title, context('Nothing is waiting for your approval.')];
  const lines = runs.map(
    (run) =>
      `• *${run.id}* in ${channelText(run.channelId)} — ${targetText(run)} · requested by <@${run.requesterId}> ${formatAge(run.createdAt, now)}` +
      ` · ${incidentText(run)}\n      _${safeLine(run.reason, 200) || 'no reason given'}_`,
  );
  return [
    title,
    ...chunks(lines, WAITING_CHUNKS, 'more runs', BLOCK.homeWaiting),
    context('Commit from each run’s verification prompt, in the thread of its card.'),
  ];
}

function activeSection(runs: readonly Run[], more: number): KnownBlock[] {
  const total = runs.length + more;
  const title = section(`*Active runs* (${total})`, BLOCK.homeActive);
  if (total === 0) return [title, context('No failback is running right now.')];
  const lines = runs.map(
    (run) =>
      `• *${run.id}* — _${PHASE_TEXT[phaseOf(run)]}_ · ${targetText(run)} · requested by <@${run.requesterId}> · ${channelText(run.channelId)} · ${incidentText(run)}`,
  );
  if (more > 0) lines.push(`…and ${plural(more, 'more active run')} (\`/failback status FB-n\` shows any of them)`);
  return [title, ...chunks(lines, ACTIVE_CHUNKS, 'more runs', BLOCK.homeActive)];
}

function chunks(lines: readonly string[], max: number, more: string, blockIdPrefix: string): KnownBlock[] {
  return packLines(lines, LIMITS.sectionText, max, more).map((text, i) => section(text, `${blockIdPrefix}-${i + 1}`));
}

function targetText(run: Run): string {
  const names = listWithin(
    run.vms.map((v) => safeLine(v.name, 60)),
    300,
  );
  return run.plan ? `recovery plan *${safeLine(run.plan.name, 80)}* (${names})` : names;
}

function incidentText(run: Run): string {
  return run.incident ? `incident ${safeLine(run.incident, 100)}` : 'no incident';
}

/** A channel mention for a channel id; anything else (it never is) shown as text. */
function channelText(channelId: string): string {
  return /^[CGD][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : safe(channelId, 40);
}
