import type { Semaphore } from '../domain/semaphore';
import { tagOf, type VaultRef, type VaultTag } from '../domain/vault';
import type { ReplicatedPlan, ReplicatedVm, ReplicationServer } from '../domain/vm';
import { isFailbackError } from '../errors';
import type { AsrEstate } from './estate';

/** A vault whose lists could not be read: one line for people, never a failed run. */
export interface VaultProblem {
  readonly vault: VaultTag;
  readonly message: string;
}

/** Every served vault's replicated VMs and recovery plans (each tagged with its vault). */
export interface EstateLists {
  readonly vms: readonly ReplicatedVm[];
  readonly plans: readonly ReplicatedPlan[];
  /** Vaults that could not be read now, with ARM's reason (a missing role assignment, say). */
  readonly unreadable: readonly VaultProblem[];
}

/**
 * Reads the lists of every vault the estate serves, a vault at a time per free slot. A vault that
 * cannot be read is reported (and noted for /readyz) while the others are shown; when none can be
 * read, the first vault's error is thrown (the caller shows ASR's message).
 */
export async function readEstateLists(
  estate: AsrEstate,
  options: { readonly signal?: AbortSignal | undefined; readonly slots?: Semaphore | undefined } = {},
): Promise<EstateLists> {
  const call = { abortSignal: options.signal };
  type Read =
    | { readonly ok: true; readonly vms: ReplicatedVm[]; readonly plans: ReplicatedPlan[] }
    | { readonly ok: false; readonly vault: VaultRef; readonly error: unknown };
  const results = await Promise.all(
    estate.vaults().map(async (vault): Promise<Read> => {
      const read = () => {
        const g = estate.gateway(vault);
        return Promise.all([g.listVms(call), g.listPlans(call)]);
      };
      try {
        const [vms, plans] = await (options.slots ? options.slots.run(read) : read());
        estate.noteAccess(vault);
        return { ok: true, vms, plans };
      } catch (error) {
        estate.noteAccess(vault, error);
        return { ok: false, vault, error };
      }
    }),
  );
  const read = results.flatMap((r) => (r.ok ? [r] : []));
  const failed = results.flatMap((r) => (r.ok ? [] : [r]));
  if (failed.length > 0 && read.length === 0) throw failed[0]?.error;
  return {
    vms: read.flatMap((r) => r.vms),
    plans: read.flatMap((r) => r.plans),
    unreadable: failed.map((f) => ({
      vault: tagOf(f.vault),
      message: isFailbackError(f.error) ? f.error.userMessage : String((f.error as Error)?.message ?? f.error),
    })),
  };
}

/**
 * The process servers and appliances of every served vault (one fabric list per vault). A vault
 * whose fabrics cannot be read contributes none: its VMs still show their own health.
 */
export async function readEstateServers(
  estate: AsrEstate,
  options: { readonly signal?: AbortSignal | undefined; readonly slots?: Semaphore | undefined } = {},
): Promise<ReplicationServer[]> {
  const lists = await Promise.all(
    estate.vaults().map(async (vault) => {
      const read = () => estate.gateway(vault).listReplicationServers({ abortSignal: options.signal });
      try {
        return await (options.slots ? options.slots.run(read) : read());
      } catch {
        return [];
      }
    }),
  );
  return lists.flat();
}
