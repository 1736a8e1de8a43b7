import type { RecoveryPointSummary, ReplicatedVm, VmFacts } from '../../../domain/vm';
import { within } from '../deadline';
import type { BotDeps } from '../../deps';
import { listenerReadSlots } from '../request-lists';

/**
 * The VMs with their recovery-point summaries: from the cache, else read from ASR (while the modal
 * is open) and cached for the submission. A VM whose points cannot be read is shown as unchecked.
 */
export async function withPoints(deps: BotDeps, vms: readonly ReplicatedVm[]): Promise<VmFacts[]> {
  const cached = await deps.facts.points(vms.map((v) => v.id));
  return Promise.all(vms.map(async (vm) => ({ ...vm, points: cached.get(vm.id) ?? (await readPoints(deps, vm)) })));
}

/** Reads in flight in this process, by VM: a second caller waits on the same read. */
const reading = new Map<string, Promise<RecoveryPointSummary | undefined>>();

/** A VM's recovery-point summary read from ASR and cached; undefined (logged) when it cannot be read. */
function readPoints(deps: BotDeps, vm: ReplicatedVm): Promise<RecoveryPointSummary | undefined> {
  const key = vm.id.toLowerCase();
  let pending = reading.get(key);
  if (!pending) {
    pending = (async () => {
      try {
        const points = await listenerReadSlots(deps).run(() =>
          deps.estate.of(vm.id).summarizePoints(vm.id, { abortSignal: deps.shutdown }),
        );
        await deps.facts.putPoints(vm.id, points);
        return points;
      } catch (e) {
        deps.log.warn({ err: e, vm: vm.name }, 'could not read recovery points');
        return undefined;
      }
    })().finally(() => reading.delete(key));
    reading.set(key, pending);
  }
  return pending;
}

/** Starts reading the VMs' points into the cache, not waited for (each logged when it fails). */
export function fillPoints(deps: BotDeps, vms: readonly ReplicatedVm[]): void {
  for (const vm of vms) void readPoints(deps, vm);
}

/**
 * The VMs' recovery points from the cache; those missing are read from ASR, waited for at most
 * `budgetMs` (a read that takes longer goes on and fills the cache for the next look).
 */
export async function pointsWithin(
  deps: BotDeps,
  vms: readonly ReplicatedVm[],
  budgetMs: number,
): Promise<Map<string, RecoveryPointSummary>> {
  const cached = await deps.facts.points(vms.map((v) => v.id));
  const missing = vms.filter((v) => !cached.has(v.id));
  if (missing.length === 0) return cached;
  const found = new Map(cached);
  const reads = missing.map(async (vm) => {
    const points = await readPoints(deps, vm);
    if (points) found.set(vm.id, points);
  });
  await within(budgetMs, Promise.all(reads));
  // A copy: reads that finish later fill the cache, not the answer already given.
  return new Map(found);
}
