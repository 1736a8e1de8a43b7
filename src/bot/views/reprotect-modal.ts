import type { KnownBlock, PlainTextOption, View } from '@slack/types';
import type { ReprotectForm, ReprotectOption } from '../../domain/reprotect-form';
import type { Run } from '../../domain/run';
import { CALLBACK, reprotectBlockId } from '../ids';
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
    blocks.push(section(`*${safeLine(g.title, 200)}* — ${listWithin(g.vmNames.map((n) => safeLine(n, 80)), 2500)}`));
    for (const f of g.fields) {
      if (f.options.length === 0) {
        const why = f.unavailable ? `could not be read: ${safeLine(f.unavailable, 300)}` : 'ASR lists none for this fabric.';
        blocks.push(context(`:warning: ${safeLine(f.label, 80)}: ${why}`));
        continue;
      }
      const options = f.options.slice(0, 100).map((o) => optionOf(o, now));
      const initial = f.initial === undefined ? undefined : options.find((o) => o.value === optionKey(f.initial ?? ''));
      blocks.push({
        type: 'input',
        block_id: reprotectBlockId(gi, f.id),
        optional: f.optional,
        label: plain(f.label, 2000),
        element: {
          type: 'static_select',
          action_id: reprotectBlockId(gi, f.id),
          options,
          ...(initial ? { initial_option: initial } : {}),
        },
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
