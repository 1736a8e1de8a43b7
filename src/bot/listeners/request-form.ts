import { z } from 'zod';
import type { RecoveryPointChoice, ReplicatedVm } from '../../domain/vm';
import { ACTION, BLOCK } from '../ids';
import { optionKey } from '../views';

const option = z.object({ value: z.string() });
const values = z.object({
  [BLOCK.vms]: z.object({ [ACTION.vms]: z.object({ selected_options: z.array(option).nullish() }) }).optional(),
  [BLOCK.plan]: z.object({ [ACTION.plan]: z.object({ selected_option: option.nullish() }) }).optional(),
  [BLOCK.recoveryPoint]: z
    .object({ [ACTION.recoveryPoint]: z.object({ selected_option: option.nullish() }) })
    .optional(),
  [BLOCK.specificPoint]: z
    .object({ [ACTION.specificPoint]: z.object({ selected_option: option.nullish() }) })
    .optional(),
  [BLOCK.incident]: z.object({ [ACTION.incident]: z.object({ value: z.string().nullish() }) }),
  [BLOCK.reason]: z.object({ [ACTION.reason]: z.object({ value: z.string().nullish() }) }),
});

export interface RequestForm {
  readonly vmKeys: readonly string[];
  /** Option key of the recovery plan chosen instead of VMs. */
  readonly planKey?: string | undefined;
  readonly recoveryPoint: RecoveryPointChoice;
  /** Option key of a specific recovery point, when one was chosen (resolved by the listener). */
  readonly specificPointKey?: string | undefined;
  readonly incident: string;
  readonly reason: string;
}

/** Parses the request modal's state; undefined when Slack sent something we did not build. */
export function parseRequestForm(stateValues: unknown): RequestForm | undefined {
  const parsed = values.safeParse(stateValues);
  if (!parsed.success) return undefined;
  const v = parsed.data;
  const point = v[BLOCK.recoveryPoint]?.[ACTION.recoveryPoint].selected_option?.value ?? 'latest';
  return {
    vmKeys: (v[BLOCK.vms]?.[ACTION.vms].selected_options ?? []).map((o) => o.value),
    planKey: v[BLOCK.plan]?.[ACTION.plan].selected_option?.value,
    recoveryPoint: point === 'latest-app-consistent' ? { kind: 'latest-app-consistent' } : { kind: 'latest' },
    specificPointKey: v[BLOCK.specificPoint]?.[ACTION.specificPoint].selected_option?.value,
    incident: (v[BLOCK.incident][ACTION.incident].value ?? '').trim(),
    reason: (v[BLOCK.reason][ACTION.reason].value ?? '').trim(),
  };
}

/** Maps selected option values back to the VMs read when the modal was built. */
export function selectedVms(vms: readonly ReplicatedVm[], keys: readonly string[]): ReplicatedVm[] {
  const wanted = new Set(keys);
  return vms.filter((vm) => wanted.has(optionKey(vm.id)));
}

/**
 * VMs or one plan, never both: the inline error for the block to show it on, or undefined when the
 * choice is valid.
 */
export function targetChoiceError(
  form: Pick<RequestForm, 'vmKeys' | 'planKey'>,
): { block: string; text: string } | undefined {
  if (form.vmKeys.length > 0 && form.planKey)
    return { block: BLOCK.plan, text: 'Choose VMs or a recovery plan, not both: clear one of them.' };
  if (form.vmKeys.length === 0 && !form.planKey)
    return { block: BLOCK.vms, text: 'Choose at least one VM, or a recovery plan.' };
  return undefined;
}

/** The selected option value of the plan select from a block_actions payload. */
export function selectedKeyFromAction(action: unknown): string | undefined {
  const parsed = z.object({ selected_option: option.nullish() }).safeParse(action);
  return parsed.success ? parsed.data.selected_option?.value : undefined;
}

/** Selected option values of the VM multi-select from a block_actions payload. */
export function selectedKeysFromAction(action: unknown): string[] {
  const parsed = z.object({ selected_options: z.array(option).nullish() }).safeParse(action);
  return parsed.success ? (parsed.data.selected_options ?? []).map((o) => o.value) : [];
}
