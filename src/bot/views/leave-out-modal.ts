import type { View } from '@slack/types';
import { failedFailovers, type Run } from '../../domain/run';
import { ACTION, BLOCK, CALLBACK } from '../ids';
import { optionKey } from './option-key';
import { LIMITS, plain, safeLine, section } from './text';

/**
 * Leave a VM whose failover failed out of the run, with a reason for the audit trail. The VM is
 * released (it can be requested again) and the run goes on with the others.
 */
export function leaveOutModal(run: Run): View {
  const failed = failedFailovers(run).slice(0, 100);
  const options = failed.map((v) => ({ text: plain(v.name, LIMITS.optionText), value: optionKey(v.id) }));
  return {
    type: 'modal',
    callback_id: CALLBACK.leaveOut,
    private_metadata: run.id,
    title: plain('Leave a VM out', LIMITS.modalTitle),
    submit: plain('Leave out', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: [
      section(
        `*Run ${run.id}*: the failover of these VMs failed. A VM left out is not committed or reprotected by this run; its Azure VM stays as it is.`,
      ),
      {
        type: 'input',
        block_id: BLOCK.leaveOutVm,
        label: plain('VM'),
        element: {
          type: 'static_select',
          action_id: ACTION.leaveOutVm,
          options,
          ...(options.length === 1 && options[0] ? { initial_option: options[0] } : {}),
        },
      },
      {
        type: 'input',
        block_id: BLOCK.leaveOutReason,
        label: plain('Reason'),
        element: {
          type: 'plain_text_input',
          action_id: ACTION.leaveOutReason,
          multiline: true,
          max_length: 500,
          placeholder: plain('Why the run goes on without it'),
        },
      },
    ],
  };
}

/** The failed VM an option value of {@link leaveOutModal} stands for. */
export function leftOutVm(run: Run, value: string) {
  return failedFailovers(run).find((v) => optionKey(v.id) === value);
}

export const leaveOutNotice = (text: string): View => ({
  type: 'modal',
  title: plain('Leave a VM out', LIMITS.modalTitle),
  close: plain('Close', LIMITS.modalTitle),
  blocks: [section(safeLine(text, 2900))],
});
