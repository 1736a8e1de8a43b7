import type { InputBlock, KnownBlock, PlainTextElement, PlainTextOption, View } from '@slack/types';
import { vaultLabel, type VaultTag } from '../../domain/vault';
import { DEFAULT_MAX_VMS_PER_RUN } from '../../domain/preflight';
import type { ReplicatedPlan, ReplicatedVm, VmFacts } from '../../domain/vm';
import { ACTION, BLOCK, CALLBACK, STATIC_SELECT_MAX } from '../ids';
import { decodeRequestMetadata } from './request-metadata';
import { optionKey } from './option-key';
import { LIMITS, context, listWithin, plain, plural, safe, safeLine, section } from './text';
import { formatAge } from './time';

export { formatAge } from './time';
export { optionKey } from './option-key';

const TITLE = 'Fail back to AVS';
const NOT_READY_SHOWN = 10;

/** The view opened at once with the trigger_id (it lives 3 s), replaced when ASR has answered. */
export function loadingModal(): View {
  return {
    type: 'modal',
    callback_id: CALLBACK.request,
    title: plain(TITLE, LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: [section(':hourglass_flowing_sand: Reading the vault’s replicated VMs…')],
  };
}

/** Shown instead of the request when the vault's replicated VMs could not be read. */
export function requestErrorModal(message: string): View {
  return {
    type: 'modal',
    callback_id: CALLBACK.request,
    title: plain(TITLE, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalTitle),
    blocks: [
      section(':warning: *Could not read the vault’s replicated VMs.*'),
      section(`> ${safe(message, 2000).replace(/\n/g, '\n> ')}`),
      section(
        'Nothing was started. Try `/failback` again in a minute; if it keeps failing, ask your platform team to check the bot’s access to the Recovery Services vault.',
      ),
    ],
  };
}

export interface RequestModalInput {
  /** Every replicated VM of the vault (ready or not). */
  readonly vms: readonly ReplicatedVm[];
  /** Every recovery plan of the vault. */
  readonly plans?: readonly ReplicatedPlan[] | undefined;
  /** The VMs chosen so far, with their recovery points once read. */
  readonly selected?: readonly VmFacts[] | undefined;
  /** The recovery plan chosen instead, with its VMs' recovery points once read. */
  readonly selectedPlan?: { readonly plan: ReplicatedPlan; readonly members: readonly VmFacts[] } | undefined;
  readonly now: Date;
  readonly privateMetadata?: string | undefined;
  /** The most VMs one run may take (`FAILBACK_MAX_VMS_PER_RUN`); the VM select allows no more. Default 100. */
  readonly maxVmsPerRun?: number | undefined;
  /** Vaults whose lists could not be read (their VMs are not offered): one line each. */
  readonly unreadable?: readonly { readonly vault: VaultTag; readonly message: string }[] | undefined;
}

/**
 * The failback request: VMs (static select up to {@link STATIC_SELECT_MAX} ready VMs, a searchable
 * external select beyond), the recovery point, each chosen VM's recovery-point ages, the incident
 * reference and the reason. Without a ready VM it explains what to check and offers no submit.
 */
export function requestModal(input: RequestModalInput): View {
  const ready = input.vms.filter((v) => v.failback.ready);
  const plans = (input.plans ?? []).filter((p) => p.failsBack);
  const notReady = notReadyBlock(input.vms);
  const base = {
    type: 'modal' as const,
    callback_id: CALLBACK.request,
    title: plain(TITLE, LIMITS.modalTitle),
    ...(input.privateMetadata !== undefined ? { private_metadata: input.privateMetadata } : {}),
  };
  if (ready.length === 0 && plans.length === 0) {
    const blocks: KnownBlock[] = [section(noReadyText(input.vms.length))];
    if (notReady) blocks.push(notReady);
    const unreadable = unreadableBlock(input.unreadable);
    if (unreadable) blocks.push(unreadable);
    return { ...base, close: plain('Close', LIMITS.modalTitle), blocks };
  }
  const chosenPlan = input.selectedPlan;
  const selected = chosenPlan ? [] : (input.selected ?? []);
  const blocks: KnownBlock[] = [];
  if (asksChannel(input)) blocks.push(channelInput());
  if (ready.length > 0)
    blocks.push(vmInput(ready, selected, plans.length > 0, input.maxVmsPerRun ?? DEFAULT_MAX_VMS_PER_RUN));
  if (plans.length > 0) blocks.push(planInput(plans, chosenPlan?.plan, ready.length > 0));
  if (chosenPlan) blocks.push(planMembersBlock(chosenPlan.plan, chosenPlan.members));
  if (notReady) blocks.push(notReady);
  const unreadable = unreadableBlock(input.unreadable);
  if (unreadable) blocks.push(unreadable);
  blocks.push(recoveryPointInput());
  const shown = chosenPlan ? chosenPlan.members : selected;
  if (shown.length > 0) blocks.push(rpoBlock(shown, input.now));
  const only = selected.length === 1 ? selected[0] : undefined;
  if (chosenPlan) {
    blocks.push(
      context(
        'A recovery plan fails every VM over to its own latest point of the chosen kind: a specific recovery point can be chosen for a single VM only.',
      ),
    );
  } else if (only?.pointChoices.includes('specific')) blocks.push(specificPointInput());
  else if (only) {
    blocks.push(
      context(
        `A specific recovery point is not available for *${safeLine(only.name, 80)}*: its replication fails back to the latest crash-consistent or app-consistent point only.`,
      ),
    );
  }
  blocks.push(incidentInput(), reasonInput());
  return {
    ...base,
    submit: plain('Start failback', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks,
  };
}

/** A modal opened outside a channel (App Home) asks where the run card goes. */
function asksChannel(input: RequestModalInput): boolean {
  const meta = input.privateMetadata === undefined ? undefined : decodeRequestMetadata(input.privateMetadata);
  return meta !== undefined && meta.channelId === undefined;
}

/** Where the run card goes, for a request made outside a channel; the submission checks the allow-list. */
function channelInput(): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.channel,
    label: plain('Channel for the run card'),
    hint: plain(
      'The run’s card, its progress and the Commit prompt are posted there: choose the incident channel failback-bot serves (the bot must be a member: /invite it first).',
      2000,
    ),
    element: {
      type: 'conversations_select',
      action_id: ACTION.channel,
      placeholder: plain('Choose a channel', 150),
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    },
  };
}

function vmOption(vm: ReplicatedVm): PlainTextOption {
  return { text: plain(vm.name, LIMITS.optionText), value: optionKey(vm.id) };
}

/**
 * Options grouped by vault when they come from several (the vault and its region as the group's
 * label), plain otherwise — what a static select or an external select's answer takes.
 */
export function groupedOptions<T extends { readonly id: string; readonly vault?: VaultTag | undefined }>(
  things: readonly T[],
  option: (t: T) => PlainTextOption,
): { options: PlainTextOption[] } | { option_groups: { label: PlainTextElement; options: PlainTextOption[] }[] } {
  const groups = new Map<string, T[]>();
  for (const t of things) groups.set(t.vault?.id ?? '', [...(groups.get(t.vault?.id ?? '') ?? []), t]);
  if (groups.size <= 1) return { options: things.map(option) };
  return {
    option_groups: [...groups.values()].map((members) => ({
      label: plain(members[0]?.vault ? vaultLabel(members[0].vault) : 'other', LIMITS.optionText),
      options: members.map(option),
    })),
  };
}

function unreadableBlock(unreadable: RequestModalInput['unreadable']): KnownBlock | undefined {
  if (!unreadable || unreadable.length === 0) return undefined;
  const lines = unreadable
    .slice(0, NOT_READY_SHOWN)
    .map(
      (u) =>
        `:no_entry_sign: *${safeLine(vaultLabel(u.vault), 100)}* cannot be read, so its VMs are not listed: ${safeLine(u.message, 300)}`,
    );
  return context(lines.join('\n'));
}

function vmInput(
  ready: readonly ReplicatedVm[],
  selected: readonly ReplicatedVm[],
  orPlan: boolean,
  maxVms: number,
): InputBlock {
  const chosen = new Set(selected.map((v) => v.id));
  const initial = ready
    .filter((v) => chosen.has(v.id))
    .slice(0, Math.min(STATIC_SELECT_MAX, maxVms))
    .map(vmOption);
  const common = {
    action_id: ACTION.vms,
    // Slack stops the person at the run's size; preflight checks again (a client could send more).
    max_selected_items: maxVms,
    ...(initial.length > 0 ? { initial_options: initial } : {}),
  };
  return {
    type: 'input',
    block_id: BLOCK.vms,
    optional: orPlan, // VMs or a plan: the submission checks that exactly one was chosen
    dispatch_action: true, // a change of selection reads the chosen VMs' recovery points
    label: plain('VMs to fail back'),
    hint: plain(
      new Set(ready.map((v) => v.vault?.id)).size > 1
        ? `At most ${plural(maxVms, 'VM')} per run. A run fails back the VMs of one vault: VMs chosen in several vaults start one run per vault.`
        : `At most ${plural(maxVms, 'VM')} per run.`,
      2000,
    ),
    element:
      ready.length > STATIC_SELECT_MAX
        ? {
            type: 'multi_external_select',
            min_query_length: 0,
            placeholder: plain('Type to search the VMs'),
            ...common,
          }
        : {
            type: 'multi_static_select',
            placeholder: plain('Choose VMs'),
            ...groupedOptions(ready, vmOption),
            ...common,
          },
  };
}

function planOption(plan: ReplicatedPlan): PlainTextOption {
  return {
    text: plain(`${plan.name} (${plural(plan.vmIds.length, 'VM')})`, LIMITS.optionText),
    value: optionKey(plan.id),
  };
}

/** One recovery plan instead of VMs (never both): static up to 100 plans, searched beyond. */
function planInput(plans: readonly ReplicatedPlan[], chosen: ReplicatedPlan | undefined, orVms: boolean): InputBlock {
  const initial = chosen ? { initial_option: planOption(chosen) } : {};
  return {
    type: 'input',
    block_id: BLOCK.plan,
    optional: orVms,
    dispatch_action: true, // choosing a plan lists its VMs and reads their recovery points
    label: plain(orVms ? '…or one recovery plan' : 'Recovery plan to fail back'),
    hint: plain('Choose VMs or one recovery plan, not both. A plan fails over and commits as one ASR job.', 2000),
    element:
      plans.length > STATIC_SELECT_MAX
        ? {
            type: 'external_select',
            action_id: ACTION.plan,
            min_query_length: 0,
            placeholder: plain('Type to search the plans'),
            ...initial,
          }
        : {
            type: 'static_select',
            action_id: ACTION.plan,
            placeholder: plain('Choose a plan'),
            ...groupedOptions(plans, planOption),
            ...initial,
          },
  };
}

function planMembersBlock(plan: ReplicatedPlan, members: readonly VmFacts[]): KnownBlock {
  const names = members.map((m) => safeLine(m.name, 80));
  const unknown = plan.vmIds.length - members.length;
  const tail = unknown > 0 ? ` (and ${plural(unknown, 'item')} the vault does not list)` : '';
  return section(
    `*Recovery plan ${safeLine(plan.name, 100)}* — ${plural(plan.vmIds.length, 'VM')}: ${listWithin(names, 2500)}${tail}`,
    BLOCK.planMembers,
  );
}

function notReadyBlock(vms: readonly ReplicatedVm[]): KnownBlock | undefined {
  const lines: string[] = [];
  for (const vm of vms) {
    if (!vm.failback.ready) lines.push(`• ${safeLine(vm.name, 80)} — ${safeLine(vm.failback.reason, 150)}`);
  }
  if (lines.length === 0) return undefined;
  const shown = lines.slice(0, NOT_READY_SHOWN);
  if (lines.length > shown.length) shown.push(`…and ${lines.length - shown.length} more`);
  return context(`*Not ready for failback:*\n${shown.join('\n')}`);
}

function noReadyText(total: number): string {
  const head = total === 0 ? 'This vault has no replicated VMs.' : 'No VM in this vault can be failed back right now.';
  return (
    `:information_source: *${head}*\nA VM can be failed back when it has been *reprotected to AVS* ` +
    '(it replicates from Azure to the AVS private cloud) and has *at least one recovery point*. ' +
    'Check both in the vault’s *Replicated items*, then run `/failback` again.'
  );
}

function recoveryPointInput(): InputBlock {
  const latest: PlainTextOption = { text: plain('Latest (crash-consistent) — recommended'), value: 'latest' };
  const app: PlainTextOption = {
    text: plain('Latest app-consistent — older, some data loss'),
    value: 'latest-app-consistent',
  };
  return {
    type: 'input',
    block_id: BLOCK.recoveryPoint,
    label: plain('Recovery point'),
    hint: plain(
      'Latest fails each VM over to its newest point (in a multi-VM consistency group, each VM to its own latest point); app-consistent points are older, so data written since then is lost.',
      2000,
    ),
    element: {
      type: 'static_select',
      action_id: ACTION.recoveryPoint,
      options: [latest, app],
      initial_option: latest,
    },
  };
}

/** For a single VM: any of its recovery points, newest first, searched as you type. */
function specificPointInput(): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.specificPoint,
    optional: true,
    label: plain('Or a specific recovery point (not in the tutorial)'),
    hint: plain(
      'Leave empty to use the choice above (recommended). The tutorial fails back to the latest points only; ASR may refuse a specific point for a failback, and then nothing happens and the run shows its reason.',
      2000,
    ),
    element: {
      type: 'external_select',
      action_id: ACTION.specificPoint,
      min_query_length: 0,
      placeholder: plain('Newest first — type a date or time to search'),
    },
  };
}

function pointLine(vm: VmFacts, now: Date): string {
  const name = `*${safeLine(vm.name, 80)}*`;
  const p = vm.points;
  if (!p) return `• ${name} — not checked yet`;
  if (p.count === 0) return `• ${name} — no recovery point`;
  const crash = p.latestCrashConsistent ? formatAge(p.latestCrashConsistent, now) : 'none';
  const app = p.latestAppConsistent ? formatAge(p.latestAppConsistent, now) : 'none';
  return `• ${name} — latest crash-consistent: ${crash} · latest app-consistent: ${app}`;
}

function rpoBlock(selected: readonly VmFacts[], now: Date): KnownBlock {
  const head = '*Recovery points*';
  const tail = '_App-consistent costs data: whatever was written after that point is lost._';
  const budget = LIMITS.sectionText - head.length - tail.length - 60;
  const lines: string[] = [];
  let used = 0;
  for (const [i, vm] of selected.entries()) {
    const line = pointLine(vm, now);
    if (used + line.length + 1 > budget) {
      lines.push(`…and ${selected.length - i} more`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return section([head, ...lines, tail].join('\n'), BLOCK.rpo);
}

function incidentInput(): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.incident,
    label: plain('Incident reference'),
    element: { type: 'plain_text_input', action_id: ACTION.incident, placeholder: plain('INC-1234'), max_length: 100 },
  };
}

function reasonInput(): InputBlock {
  return {
    type: 'input',
    block_id: BLOCK.reason,
    label: plain('Reason'),
    element: {
      type: 'plain_text_input',
      action_id: ACTION.reason,
      multiline: true,
      placeholder: plain('Why now, and what was checked on AVS'),
      max_length: 1000,
    },
  };
}
