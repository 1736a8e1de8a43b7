import type { View } from '@slack/types';
import { readEstateLists, type EstateLists } from '../../azure/estate-lists';
import type { BotDeps } from '../deps';
import { requestModal } from '../views';
import { encodeRequestMetadata } from '../views/request-metadata';
import { Semaphore } from '../../domain/semaphore';

/**
 * A VM list read this recently is reused: a burst of /failback reads the vault once. Short, so a
 * VM that just changed (a run that ended) is shown as it is now. The process keeps its own copy as
 * long again, so a burst does not even parse the list from Redis per command.
 */
export const LIST_REUSE_MS = 5_000;

export type VaultLists = EstateLists;

interface Held {
  readonly lists: VaultLists;
  readonly until: number;
  /** The empty request modal built from these lists: in a channel, and asking for one (App Home). */
  readonly views: Map<'in-channel' | 'asks-channel', View>;
  /** The same, per channel, as JSON text (sent as it is: see fast-views). */
  readonly serialized: Map<string, string>;
}

interface ProcessState {
  held?: Held | undefined;
  reading?: Promise<VaultLists> | undefined;
  readonly slots: Semaphore;
}

const states = new WeakMap<BotDeps, ProcessState>();

function stateOf(deps: BotDeps): ProcessState {
  let state = states.get(deps);
  if (!state) {
    state = { slots: new Semaphore(LISTENER_ARM_READS) };
    states.set(deps, state);
  }
  return state;
}

/**
 * ARM reads one listener process makes at once for people's forms (lists, recovery points): a burst
 * of clicks (fifty responders choosing VMs) costs ARM a steady trickle instead of hundreds of
 * parallel reads that all get throttled; what is not read yet is answered from the cache.
 */
export const LISTENER_ARM_READS = 6;

/** The listener process's ARM read slots (recovery points, lists): bounded per process. */
export function listenerReadSlots(deps: BotDeps): Semaphore {
  return stateOf(deps).slots;
}

/**
 * The vault's VMs and plans: held in this process, else fresh in the facts cache (another process
 * read them), else from ASR — one read at a time per process, whoever asks meanwhile waits on it.
 */
export async function vaultLists(deps: BotDeps): Promise<VaultLists> {
  return (await heldLists(deps)).lists;
}

async function heldLists(deps: BotDeps): Promise<Held> {
  const state = stateOf(deps);
  if (state.held && deps.now() < state.held.until) return state.held;
  if (!state.reading) {
    state.reading = readLists(deps, state).finally(() => (state.reading = undefined));
  }
  const lists = await state.reading;
  // Whoever read them set `held`; a reader that lost the race still answers with what it waited on.
  return state.held?.lists === lists ? state.held : hold(deps, state, lists);
}

async function readLists(deps: BotDeps, state: ProcessState): Promise<VaultLists> {
  const cachedVms = await deps.facts.freshVms(LIST_REUSE_MS);
  if (cachedVms) {
    const [plans, unreadable] = await Promise.all([deps.facts.plans(), deps.facts.unreadable()]);
    return hold(deps, state, { vms: cachedVms, plans, unreadable }).lists;
  }
  const lists = await readEstateLists(deps.estate, { signal: deps.shutdown, slots: state.slots });
  await Promise.all([
    deps.facts.putPlans(lists.plans),
    deps.facts.putUnreadable(lists.unreadable),
    deps.facts.putVms(lists.vms),
  ]);
  return hold(deps, state, lists).lists;
}

function hold(deps: BotDeps, state: ProcessState, lists: VaultLists): Held {
  state.held = { lists, until: deps.now() + LIST_REUSE_MS, views: new Map(), serialized: new Map() };
  return state.held;
}

/**
 * The empty request modal for a person as JSON text, if this process holds fresh lists now (no wait,
 * no I/O), else undefined: what lets /failback open the whole form with one Slack call.
 */
export function heldRequestModalJson(deps: BotDeps, channelId: string | undefined): string | undefined {
  const held = stateOf(deps).held;
  return held && deps.now() < held.until ? serializedModal(deps, held, channelId) : undefined;
}

function serializedModal(deps: BotDeps, held: Held, channelId: string | undefined): string {
  const key = channelId ?? '';
  let json = held.serialized.get(key);
  if (json === undefined) {
    // Bounded: a burst comes from a few incident channels; more start the map again.
    if (held.serialized.size >= SERIALIZED_CHANNELS) held.serialized.clear();
    json = JSON.stringify(requestModalOf(deps, held, channelId));
    held.serialized.set(key, json);
  }
  return json;
}

const SERIALIZED_CHANNELS = 20;

/**
 * The empty request modal for a person as JSON text, from the vault's lists (read if this process
 * holds none fresh): built and serialised once per list read (for a vault of hundreds of VMs that is
 * most of the work of /failback), then only its private_metadata differs per person.
 */
export async function requestModalJson(deps: BotDeps, channelId: string | undefined): Promise<string> {
  return serializedModal(deps, await heldLists(deps), channelId);
}

function requestModalOf(deps: BotDeps, held: Held, channelId: string | undefined): View {
  const kind = channelId ? 'in-channel' : 'asks-channel';
  let view = held.views.get(kind);
  if (!view) {
    view = requestModal({
      vms: held.lists.vms,
      plans: held.lists.plans,
      unreadable: held.lists.unreadable,
      maxVmsPerRun: deps.policy.maxVmsPerRun,
      now: new Date(deps.now()),
      privateMetadata: encodeRequestMetadata({ channelId }),
    });
    held.views.set(kind, view);
  }
  return { ...view, private_metadata: encodeRequestMetadata({ channelId }) };
}
