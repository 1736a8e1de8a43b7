import type { JsonObject, StoredMessage, StoredView } from '@failback/slack-standin';
import { ACTION, BLOCK, CALLBACK } from './product';
import { INCIDENT_CHANNEL, PEOPLE, type SandboxWorld } from './world';

/** Acting as a person in the Slack stand-in, and reading what they would see (demo and tests). */

export function blocksOf(view: StoredView | StoredMessage): JsonObject[] {
  return 'view' in view ? ((view.view.blocks as JsonObject[] | undefined) ?? []) : view.blocks;
}

export function textOf(x: StoredView | StoredMessage | JsonObject[]): string {
  const blocks = Array.isArray(x) ? x : blocksOf(x);
  return JSON.stringify(blocks);
}

export function findAction(blocks: JsonObject[], actionId: string): JsonObject | undefined {
  for (const b of blocks) {
    const elements = [b.element, b.accessory, ...(Array.isArray(b.elements) ? b.elements : [])] as (
      JsonObject | undefined
    )[];
    const hit = elements.find((e) => e && e.action_id === actionId);
    if (hit) return hit;
  }
  return undefined;
}

/** The VM options of the request modal: friendly name → option value. */
export function vmOptions(view: StoredView): Map<string, string> {
  const options = optionsOf(findAction(blocksOf(view), ACTION.vms)).map(
    (o) => [String((o.text as JsonObject).text), String(o.value)] as const,
  );
  return new Map(options);
}

/** A select's options, flat or in option groups (several vaults). */
export function optionsOf(select: JsonObject | undefined): JsonObject[] {
  const flat = (select?.options as JsonObject[] | undefined) ?? [];
  const groups = (select?.option_groups as JsonObject[] | undefined) ?? [];
  return [...flat, ...groups.flatMap((g) => (g.options as JsonObject[] | undefined) ?? [])];
}

/** The option groups' labels of a select (the vaults, when it offers several). */
export function optionGroupLabels(select: JsonObject | undefined): string[] {
  return ((select?.option_groups as JsonObject[] | undefined) ?? []).map((g) => String((g.label as JsonObject).text));
}

/** The recovery-plan options of the request modal: plan name → option value. */
export function planOptions(view: StoredView): Map<string, string> {
  const options = optionsOf(findAction(blocksOf(view), ACTION.plan)).map(
    (o) => [String((o.text as JsonObject).text).replace(/ \(\d+ VMs?\)$/, ''), String(o.value)] as const,
  );
  return new Map(options);
}

/** Picks a recovery plan in the modal and waits until its VMs and their recovery points are shown. */
export async function choosePlan(
  world: SandboxWorld,
  view: StoredView,
  plan: string,
  userId: string = PEOPLE.requester.id,
) {
  const value = planOptions(view).get(plan);
  if (!value) throw new Error(`plan ${plan} is not offered (offered: ${[...planOptions(view).keys()].join(', ')})`);
  await world.slack.chooseOption({ viewId: view.id, userId, actionId: ACTION.plan, pick: value });
  return world.slack.waitFor(
    (s) => {
      const v = s.views.get(view.id);
      return v &&
        blocksOf(v).some((b) => b.block_id === BLOCK.planMembers) &&
        blocksOf(v).some((b) => b.block_id === BLOCK.rpo)
        ? v
        : undefined;
    },
    { message: `plan ${plan} with its VMs' recovery points shown` },
  );
}

/** Types /failback and waits until the modal is filled from ASR. */
export async function openRequestModal(
  world: SandboxWorld,
  userId: string = PEOPLE.requester.id,
  channelId = INCIDENT_CHANNEL,
) {
  // A form this person still has open from before is not the one this command opens.
  const before = new Set(world.slack.openViews(userId).map((v) => v.id));
  const reply = await world.slack.sendCommand({ userId, channelId });
  const view = await world.slack.waitFor(
    (s) =>
      s
        .openViews(userId)
        .find(
          (v) => !before.has(v.id) && v.view.callback_id === CALLBACK.request && findAction(blocksOf(v), ACTION.vms),
        ),
    { message: 'request modal filled with VMs' },
  );
  return { reply, view };
}

/** Opens the app's Home tab and waits until the bot has published it (anew). */
export async function openHome(world: SandboxWorld, userId: string = PEOPLE.requester.id) {
  const before = world.slack.home(userId)?.hash;
  const reply = await world.slack.openHome({ userId });
  if (reply.status !== 200) throw new Error(`the bot answered app_home_opened with ${reply.status}: ${reply.rawBody}`);
  return world.slack.waitFor(
    (s) => {
      const home = s.home(userId);
      return home && home.hash !== before ? home : undefined;
    },
    { message: `Home of ${userId} published` },
  );
}

/** Presses "Request a failback" on the Home tab and waits until the request modal is filled with VMs. */
export async function requestFromHome(world: SandboxWorld, userId: string = PEOPLE.requester.id) {
  const home = world.slack.home(userId) ?? (await openHome(world, userId));
  const reply = await world.slack.clickButton({ viewId: home.id, userId, actionId: ACTION.homeRequest });
  const view = await world.slack.waitFor(
    (s) =>
      s.openViews(userId).find((v) => v.view.callback_id === CALLBACK.request && findAction(blocksOf(v), ACTION.vms)),
    { message: 'request modal (from Home) filled with VMs' },
  );
  return { reply, view };
}

/** Picks VMs in the modal (that reads their recovery points) and waits for the RPO to be shown. */
export async function chooseVms(
  world: SandboxWorld,
  view: StoredView,
  names: readonly string[],
  userId: string = PEOPLE.requester.id,
) {
  const options = vmOptions(view);
  const values = names.map((n) => {
    const v = options.get(n);
    if (!v) throw new Error(`VM ${n} is not offered (offered: ${[...options.keys()].join(', ')})`);
    return v;
  });
  await world.slack.chooseOption({ viewId: view.id, userId, actionId: ACTION.vms, pick: values });
  return world.slack.waitFor(
    (s) => {
      const v = s.views.get(view.id);
      return v && names.every((n) => textOf(v).includes(n)) && blocksOf(v).some((b) => b.block_id === BLOCK.rpo)
        ? v
        : undefined;
    },
    { message: 'recovery points shown' },
  );
}

export async function submitRequest(
  world: SandboxWorld,
  view: StoredView,
  form: {
    vms: readonly string[];
    plan?: string;
    point?: 'latest' | 'latest-app-consistent';
    incident?: string;
    reason?: string;
    channel?: string;
  },
  userId: string = PEOPLE.requester.id,
) {
  const options = vmOptions(view);
  const plan: Record<string, Record<string, string>> = form.plan
    ? { [BLOCK.plan]: { [ACTION.plan]: planOptions(view).get(form.plan) ?? `unknown-${form.plan}` } }
    : {};
  // A request made from App Home asks for the run card's channel.
  const channel: Record<string, Record<string, string>> = form.channel
    ? { [BLOCK.channel]: { [ACTION.channel]: form.channel } }
    : {};
  return world.slack.submitView({
    userId,
    viewId: view.id,
    values: {
      [BLOCK.vms]: { [ACTION.vms]: form.vms.map((n) => options.get(n) ?? `unknown-${n}`) },
      ...plan,
      ...channel,
      [BLOCK.recoveryPoint]: { [ACTION.recoveryPoint]: form.point ?? 'latest' },
      [BLOCK.incident]: { [ACTION.incident]: form.incident ?? 'INC-4711' },
      [BLOCK.reason]: { [ACTION.reason]: form.reason ?? 'AVS private cloud is healthy again' },
    },
  });
}

/** The run card (first bot message of the channel that names the run). */
export function cardOf(world: SandboxWorld, runId: string): StoredMessage | undefined {
  return world.slack.messages(INCIDENT_CHANNEL).find((m) => textOf(m).includes(`Failback ${runId}`));
}

/** The verification prompt of a run: the thread reply carrying the Commit button or the verdict. */
export function promptOf(world: SandboxWorld, card: StoredMessage): StoredMessage | undefined {
  return world.slack.thread(INCIDENT_CHANNEL, card.ts).find((m) => /verif|commit/i.test(textOf(m)));
}

/** Waits until the channel's run card has a verification prompt that offers Commit. */
export async function waitForCommitPrompt(world: SandboxWorld, timeoutMs = 20_000, context = '') {
  return world.slack.waitFor(
    (s) => {
      // The first run card of the channel (a readiness answer may have come before it).
      const card = s.messages(INCIDENT_CHANNEL).find((m) => m.metadata?.event_type === 'failback_run_card');
      const prompt = card && promptOf(world, card);
      return prompt && findAction(prompt.blocks, ACTION.commit) ? { card, prompt } : undefined;
    },
    { timeoutMs, message: `verification prompt with Commit${context}` },
  );
}

/** An approver commits the run whose prompt is shown and waits until the card says Committed. */
export async function commitAsApprover(
  world: SandboxWorld,
  prompt: StoredMessage,
  cardTs: string,
  approver: string = PEOPLE.approver.id,
) {
  await approveCommit(world, prompt, approver);
  await world.slack.waitFor((s) => findAction(s.message(INCIDENT_CHANNEL, cardTs)?.blocks ?? [], ACTION.reprotect), {
    timeoutMs: 30_000,
    message: 'card offers Reprotect after the commit',
  });
}

/** An approver presses Commit on the prompt; returns the confirmation it opens. */
export async function openCommitConfirmation(
  world: SandboxWorld,
  prompt: StoredMessage,
  approver: string = PEOPLE.approver.id,
) {
  await world.slack.clickButton({
    userId: approver,
    channelId: INCIDENT_CHANNEL,
    messageTs: prompt.ts,
    actionId: ACTION.commit,
  });
  return world.slack.waitFor((s) => s.openViews(approver).find((v) => v.view.callback_id === CALLBACK.confirmCommit));
}

/** An approver presses Commit on the prompt and confirms it (without waiting for the commit). */
export async function approveCommit(world: SandboxWorld, prompt: StoredMessage, approver: string = PEOPLE.approver.id) {
  const confirm = await openCommitConfirmation(world, prompt, approver);
  return world.slack.submitView({ userId: approver, viewId: confirm.id });
}

/** Presses Reprotect on the card, waits for the filled modal, submits it with its defaults. */
export async function reprotectWithDefaults(world: SandboxWorld, cardTs: string, userId: string = PEOPLE.approver.id) {
  await world.slack.clickButton({ userId, channelId: INCIDENT_CHANNEL, messageTs: cardTs, actionId: ACTION.reprotect });
  const modal = await world.slack.waitFor(
    (s) => s.openViews(userId).find((v) => v.view.callback_id === CALLBACK.reprotect && v.view.submit !== undefined),
    { timeoutMs: 15_000, message: 'reprotect modal filled' },
  );
  const reply = await world.slack.submitView({ userId, viewId: modal.id });
  return { modal, reply };
}

/** Waits until the card's header shows `phase` text. */
export async function waitForCardText(world: SandboxWorld, cardTs: string, pattern: RegExp, timeoutMs = 30_000) {
  return world.slack.waitFor(
    (s) => {
      const card = s.message(INCIDENT_CHANNEL, cardTs);
      return card && pattern.test(textOf(card)) ? card : undefined;
    },
    { timeoutMs, message: `card matching ${pattern}` },
  );
}

/** A whole cycle as the people do it: request `vms`, commit as an approver, reprotect with defaults, until Done. */
export async function failBackFully(world: SandboxWorld, vms: readonly string[], timeoutMs = 60_000) {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, vms);
  const reply = await submitRequest(world, shown, { vms });
  if (reply.responseAction !== 'clear') throw new Error(`request refused: ${JSON.stringify(reply.errors)}`);
  const { card, prompt } = await waitForCommitPrompt(world, timeoutMs);
  await commitAsApprover(world, prompt, card.ts);
  await reprotectWithDefaults(world, card.ts);
  await waitForCardText(world, card.ts, /Done — protected to Azure again/, timeoutMs);
  return { card };
}

/** The run cards of the incident channel, oldest first. */
export function runCards(world: SandboxWorld): StoredMessage[] {
  return world.slack.messages(INCIDENT_CHANNEL).filter((m) => m.metadata?.event_type === 'failback_run_card');
}

/**
 * Requests VMs of several vaults in one form (the bot makes one run per vault), then takes every run
 * to Done: commit as an approver, reprotect with defaults. Returns the run cards.
 */
export async function failBackAcrossVaults(
  world: SandboxWorld,
  vms: readonly string[],
  runs: number,
  timeoutMs = 90_000,
) {
  const before = runCards(world).length;
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, vms);
  const reply = await submitRequest(world, shown, { vms });
  if (reply.responseAction === 'errors') throw new Error(`request refused: ${JSON.stringify(reply.errors)}`);
  const cards = await world.slack.waitFor(
    () => (runCards(world).length === before + runs ? runCards(world).slice(before) : undefined),
    { timeoutMs, message: `${runs} new run cards` },
  );
  // One card after the other: the approver's confirmation modals would be told apart by order only.
  for (const card of cards) {
    const prompt = await world.slack.waitFor(
      () => {
        const p = promptOf(world, card);
        return p && findAction(p.blocks, ACTION.commit) ? p : undefined;
      },
      { timeoutMs, message: `the prompt of the card ${card.ts}` },
    );
    await commitAsApprover(world, prompt, card.ts);
    await reprotectWithDefaults(world, card.ts);
    await waitForCardText(world, card.ts, /Done — protected to Azure again/, timeoutMs);
  }
  return { cards, reply };
}

/**
 * From the verification prompt to the end: commit as an approver, reprotect with defaults, until
 * Done. Returns the operation POSTs ASR received for each kind, to assert exactly-once.
 */
export async function finishCycle(world: SandboxWorld, card: StoredMessage, prompt: StoredMessage, timeoutMs = 60_000) {
  await commitAsApprover(world, prompt, card.ts);
  await reprotectWithDefaults(world, card.ts);
  await waitForCardText(world, card.ts, /Done — protected to Azure again/, timeoutMs);
  const count = (kind: 'unplannedFailover' | 'plannedFailover' | 'failoverCommit' | 'reprotect') =>
    world.emulator.operationPosts(kind).length;
  return {
    failovers: count('unplannedFailover') + count('plannedFailover'),
    commits: count('failoverCommit'),
    reprotects: count('reprotect'),
  };
}
