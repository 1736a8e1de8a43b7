import type { ExternalSelect, KnownBlock, PlainTextOption, StaticSelect, View } from '@slack/types';
import type { ReprotectField, ReprotectForm, ReprotectOption } from '../../domain/reprotect-form';
import type { Run } from '../../domain/run';
import { CALLBACK, STATIC_SELECT_MAX, reprotectBlockId } from '../ids';
import { optionKey } from './option-key';
import { LIMITS, context, listWithin, plain, safeLine, section } from './text';
import { formatAge } from './time';

const TITLE = 'Reprotect to Azure';

/** Opened at once on the Reprotect click; filled when the VMs' fabrics have been read. */
export function loadingReprotectModal(runId: string): View {
  return {
    type: 'modal',
    callback_id: CALLBACK.reprotect,
    private_metadata: runId,
    title: plain(TITLE, LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: [section(':hourglass_flowing_sand: Reading the process servers of the VMs’ own fabric…')],
  };
}

function optionOf(o: ReprotectOption, now: Date): PlainTextOption {
  const parts = [o.note ? `${o.label} (${o.note})` : o.label];
  if (o.health) parts.push(o.health);
  if (o.lastHeartbeat) parts.push(`heartbeat ${formatAge(o.lastHeartbeat, now)}`);
  const text = `${o.unhealthy ? '⚠ ' : ''}${parts.join(' · ')}${o.unhealthy ? ' (unhealthy)' : ''}`;
  // ARM ids often pass Slack's 150-character limit on option values: the submission maps keys back.
  return { text: plain(text, LIMITS.optionText), value: optionKey(o.value) };
}

/**
 * What a reprotect field's searchable select offers for `query`: the options whose label contains it
 * (case-insensitive), marked as in the static list, at most the 100 Slack shows.
 */
export function reprotectFieldOptions(field: ReprotectField, query: string, now: Date): PlainTextOption[] {
  const q = query.trim().toLowerCase();
  return field.options
    .filter((o) => o.label.toLowerCase().includes(q))
    .slice(0, STATIC_SELECT_MAX)
    .map((o) => optionOf(o, now));
}

/**
 * A static select up to {@link STATIC_SELECT_MAX} options; beyond, an external select the bot
 * answers from the form cached for the run (Slack refuses a static select of more than 100, and cutting
 * the list would hide servers — the default among them). The default is pre-selected either way.
 */
function fieldSelect(f: ReprotectField, actionId: string, now: Date): StaticSelect | ExternalSelect {
  const initial =
    f.initial === undefined ? undefined : f.options.find((o) => optionKey(o.value) === optionKey(f.initial ?? ''));
  const initialOption = initial ? { initial_option: optionOf(initial, now) } : {};
  if (f.options.length > STATIC_SELECT_MAX) {
    return {
      type: 'external_select',
      action_id: actionId,
      min_query_length: 0,
      placeholder: plain(`Type to search the ${f.options.length} options`, 150),
      ...initialOption,
    };
  }
  return {
    type: 'static_select',
    action_id: actionId,
    options: f.options.map((o) => optionOf(o, now)),
    ...initialOption,
  };
}

/**
 * One modal for every VM of the run: per fabric the VMs share, the process server (health and last
 * heartbeat shown, unhealthy ones marked and never the default) and the other inputs ASR needs,
 * pre-filled, chosen from lists — never typed as raw ids.
 */
export function reprotectModal(run: Run, form: ReprotectForm, now: Date): View {
  const blocks: KnownBlock[] = [
    section(
      `Reprotect replicates the VMs of *${run.id}* from AVS back to Azure. It deletes nothing. ` +
        'Right after a failback the VM’s agent needs up to ~15 minutes to register again; the bot retries until then.',
    ),
  ];
  form.groups.forEach((g, gi) => {
    blocks.push({ type: 'divider' });
    blocks.push(
      section(
        `*${safeLine(g.title, 200)}* — ${listWithin(
          g.vmNames.map((n) => safeLine(n, 80)),
          2500,
        )}`,
      ),
    );
    for (const f of g.fields) {
      if (f.options.length === 0) {
        const why = f.unavailable
          ? `could not be read: ${safeLine(f.unavailable, 300)}`
          : 'ASR lists none for this fabric.';
        blocks.push(context(`:warning: ${safeLine(f.label, 80)}: ${why}`));
        continue;
      }
      blocks.push({
        type: 'input',
        block_id: reprotectBlockId(gi, f.id),
        optional: f.optional,
        label: plain(f.label, 2000),
        element: fieldSelect(f, reprotectBlockId(gi, f.id), now),
      });
    }
  });
  return {
    type: 'modal',
    callback_id: CALLBACK.reprotect,
    private_metadata: run.id,
    title: plain(TITLE, LIMITS.modalTitle),
    submit: plain('Reprotect', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: blocks.slice(0, LIMITS.modalBlocks),
  };
}

/** Shown instead of the form when the reprotect cannot be asked for (ASR's message, escaped). */
export function reprotectNoticeModal(text: string): View {
  return {
    type: 'modal',
    callback_id: CALLBACK.reprotect,
    title: plain(TITLE, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalTitle),
    blocks: [section(text)],
  };
}
