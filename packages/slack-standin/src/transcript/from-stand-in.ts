import type { JsonObject, StoredMessage, StoredView } from '../types';
import type { WorkspaceState } from '../workspace-state';
import type { Transcript, TranscriptEvent, TranscriptMessage, TranscriptPerson } from './events';

function plain(obj: unknown): string | undefined {
  return typeof obj === 'object' && obj !== null && typeof (obj as JsonObject).text === 'string'
    ? ((obj as JsonObject).text as string)
    : undefined;
}

function person(ws: WorkspaceState, id: string): TranscriptPerson {
  const user = ws.users.get(id);
  return { id, name: user?.realName ?? user?.name ?? id, isBot: user?.isBot ?? id === ws.identity.botUserId };
}

function messageOf(ws: WorkspaceState, m: StoredMessage): TranscriptMessage {
  return {
    ts: m.ts,
    at: m.postedAt,
    author: person(ws, m.user),
    text: m.text,
    blocks: m.blocks,
    editCount: m.history.length,
    files: (m.files ?? []).map((f) => ({ name: f.filename, ...(f.title ? { title: f.title } : {}) })),
    reactions: m.reactions.map((r) => ({ name: r.name, count: r.users.length })),
  };
}

/** A readable summary of one submitted element state (`web-01, db-01`, `INC-7`, `<@U1>`). */
function stateText(state: JsonObject): string {
  const optionText = (o: unknown): string =>
    plain((o as JsonObject | null)?.text) ?? String((o as JsonObject | null)?.value ?? '');
  if (Array.isArray(state.selected_options)) return state.selected_options.map(optionText).join(', ');
  if (state.selected_option) return optionText(state.selected_option);
  if (typeof state.selected_user === 'string') return `<@${state.selected_user}>`;
  if (Array.isArray(state.selected_users)) return state.selected_users.map((u) => `<@${String(u)}>`).join(', ');
  if (typeof state.selected_conversation === 'string') return `<#${state.selected_conversation}>`;
  if (typeof state.selected_channel === 'string') return `<#${state.selected_channel}>`;
  const v = state.value ?? state.selected_date ?? state.selected_time;
  return typeof v === 'string' ? v : '';
}

/** Labels of a view's input blocks by block_id. */
function inputLabels(view: JsonObject): Map<string, string> {
  const labels = new Map<string, string>();
  for (const block of (view.blocks as JsonObject[] | undefined) ?? []) {
    if (block.type === 'input' && typeof block.block_id === 'string')
      labels.set(block.block_id, plain(block.label) ?? block.block_id);
  }
  return labels;
}

/** The view JSON a modal had at time `seq`-ordered `at` (for the title of submissions). */
function titleOf(view: JsonObject | undefined): string {
  return plain(view?.title) ?? 'Modal';
}

/**
 * Builds the transcript of everything the stand-in saw: channel messages at their post time with
 * their current content and thread replies, ephemerals, commands, clicks, and every modal state.
 */
export function transcriptFromState(ws: WorkspaceState): Transcript {
  const ordered: { seq: number; event: TranscriptEvent }[] = [];
  for (const [channel, list] of ws.messagesByChannel) {
    for (const m of list) {
      if (m.deleted || m.threadTs !== undefined) continue;
      const replies = list.filter((r) => r.threadTs === m.ts && !r.deleted).map((r) => messageOf(ws, r));
      ordered.push({ seq: m.seq, event: { kind: 'message', channel, replies, ...messageOf(ws, m) } });
    }
  }
  for (const e of ws.ephemerals) {
    if (e.deleted) continue;
    ordered.push({
      seq: e.seq,
      event: {
        kind: 'ephemeral',
        at: e.postedAt,
        channel: e.channel,
        author: person(ws, ws.identity.botUserId),
        visibleTo: person(ws, e.user),
        text: e.text,
        blocks: e.blocks,
      },
    });
  }
  const viewAt = new Map<string, JsonObject>();
  for (const a of ws.activity) {
    const user = person(ws, a.userId);
    const push = (event: TranscriptEvent): void => {
      ordered.push({ seq: a.seq, event });
    };
    switch (a.type) {
      case 'command':
        push({ kind: 'command', at: a.at, channel: a.channelId, user, command: a.command, text: a.text });
        break;
      case 'block_action':
        push({
          kind: 'action',
          at: a.at,
          user,
          actionId: a.actionId,
          ...(a.label ? { label: a.label } : {}),
          where: a.viewId ? 'modal' : 'message',
        });
        break;
      case 'view_opened':
      case 'view_pushed':
      case 'view_updated': {
        viewAt.set(a.viewId, a.view);
        const submit = plain(a.view.submit);
        const close = plain(a.view.close);
        push({
          kind: 'modal',
          at: a.at,
          user,
          viewId: a.viewId,
          phase: a.type === 'view_opened' ? 'opened' : a.type === 'view_pushed' ? 'pushed' : 'updated',
          title: titleOf(a.view),
          ...(submit ? { submit } : {}),
          ...(close ? { close } : {}),
          blocks: (a.view.blocks as JsonObject[] | undefined) ?? [],
        });
        break;
      }
      case 'view_submitted': {
        const view = viewAt.get(a.viewId) ?? ws.views.get(a.viewId)?.view;
        const labels = inputLabels(view ?? {});
        const values = Object.entries(a.values).flatMap(([blockId, byAction]) =>
          Object.values(byAction as Record<string, JsonObject>).map((state) => ({
            label: labels.get(blockId) ?? blockId,
            value: stateText(state),
          })),
        );
        push({ kind: 'modal_submitted', at: a.at, user, viewId: a.viewId, title: titleOf(view), values });
        break;
      }
      case 'view_errors':
        push({
          kind: 'modal_errors',
          at: a.at,
          user,
          viewId: a.viewId,
          errors: Object.entries(a.errors).map(([field, message]) => ({ field, message })),
        });
        break;
      case 'view_closed':
        push({
          kind: 'modal_closed',
          at: a.at,
          user,
          viewId: a.viewId,
          title: titleOf(viewAt.get(a.viewId) ?? viewOf(ws.views.get(a.viewId))),
          by: a.by,
        });
        break;
      case 'reaction_added':
        break; // shown on the message itself
    }
  }
  ordered.sort((x, y) => x.seq - y.seq);
  const users: Record<string, string> = {};
  for (const u of ws.users.values()) users[u.id] = u.name;
  const channels: Record<string, string> = {};
  for (const c of ws.channels.values()) channels[c.id] = c.name;
  return { events: ordered.map((o) => o.event), users, channels };
}

function viewOf(stored: StoredView | undefined): JsonObject | undefined {
  return stored?.view;
}
