import type { ReplicatedVm, VmFacts } from '../../../domain/vm';
import type { BotDeps } from '../../deps';

/**
 * The VMs with their recovery-point summaries: from the cache, else read from ASR (while the modal
 * is open) and cached for the submission. A VM whose points cannot be read is shown as unchecked.
 */
export async function withPoints(deps: BotDeps, vms: readonly ReplicatedVm[]): Promise<VmFacts[]> {
  const cached = await deps.facts.points(vms.map((v) => v.id));
  return Promise.all(
    vms.map(async (vm) => {
      let points = cached.get(vm.id);
      if (!points) {
        try {
          points = await deps.gateway.summarizePoints(vm.id, { abortSignal: deps.shutdown });
          await deps.facts.putPoints(vm.id, points);
        } catch (e) {
          deps.log.warn({ err: e, vm: vm.name }, 'could not read recovery points');
        }
      }
      return { ...vm, points };
    }),
  );
}
