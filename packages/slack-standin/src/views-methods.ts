import { checkHomeView, checkModalView } from './block-kit-limits';
import { SlackApiRefusal } from './errors';
import type { MethodHandler } from './method-context';
import type { JsonObject, StoredView } from './types';
import { optionalString, refuseBlocks, requireObject, requireString } from './web-api-args';
import type { WorkspaceState } from './workspace-state';

/** The view object Slack returns from views.* and puts into interaction payloads. */
export function viewJson(ws: WorkspaceState, stored: StoredView, stateValues: JsonObject = {}): JsonObject {
  const v = stored.view;
  return {
    id: stored.id,
    team_id: ws.identity.teamId,
    type: v.type ?? 'modal',
    blocks: v.blocks ?? [],
    private_metadata: v.private_metadata ?? '',
    callback_id: v.callback_id ?? '',
    state: { values: stateValues },
    hash: stored.hash,
    title: v.title,
    clear_on_close: v.clear_on_close ?? false,
    notify_on_close: v.notify_on_close ?? false,
    close: v.close ?? null,
    submit: v.submit ?? null,
    previous_view_id: stored.previousViewId ?? null,
    root_view_id: stored.rootViewId,
    app_id: ws.identity.appId,
    external_id: stored.externalId ?? '',
    app_installed_team_id: ws.identity.teamId,
    bot_id: ws.identity.botId,
  };
}

/** Validates a view JSON; refuses with invalid_blocks listing every problem. */
export function checkViewOrRefuse(view: JsonObject): void {
  const errors = checkModalView(view);
  if (errors.length > 0) refuseBlocks(errors);
}

const open: MethodHandler = ({ ws, args }) => {
  const view = requireObject(args, 'view', 'invalid_arguments');
  checkViewOrRefuse(view);
  const trigger = ws.useTrigger(args.trigger_id ?? args.interactivity_pointer);
  const stored = ws.openView(trigger.userId, view);
  return { view: viewJson(ws, stored) };
};

const push: MethodHandler = ({ ws, args }) => {
  const view = requireObject(args, 'view', 'invalid_arguments');
  checkViewOrRefuse(view);
  const trigger = ws.useTrigger(args.trigger_id ?? args.interactivity_pointer);
  const below = (trigger.viewId ? ws.views.get(trigger.viewId) : undefined) ?? ws.topOpenView(trigger.userId);
  if (!below || below.state !== 'open') throw new SlackApiRefusal('not_found', { detail: 'no open view to push onto' });
  const stored = ws.openView(trigger.userId, view, below);
  return { view: viewJson(ws, stored) };
};

const update: MethodHandler = ({ ws, args }) => {
  const view = requireObject(args, 'view', 'invalid_arguments');
  const viewId = optionalString(args, 'view_id');
  const externalId = optionalString(args, 'external_id');
  if (!viewId && !externalId)
    throw new SlackApiRefusal('invalid_arguments', { detail: 'view_id or external_id is required' });
  checkViewOrRefuse(view);
  const stored = viewId
    ? ws.views.get(viewId)
    : [...ws.views.values()].reverse().find((v) => v.externalId === externalId);
  if (!stored || stored.state !== 'open') throw new SlackApiRefusal('not_found');
  const hash = optionalString(args, 'hash');
  if (hash !== undefined && hash !== stored.hash) throw new SlackApiRefusal('hash_conflict');
  ws.replaceView(stored, view);
  return { view: viewJson(ws, stored) };
};

/** views.publish: a user's Home tab (no trigger needed); `hash` guards against a newer publish. */
const publish: MethodHandler = ({ ws, args }) => {
  const view = requireObject(args, 'view', 'invalid_arguments');
  const userId = requireString(args, 'user_id');
  const errors = checkHomeView(view);
  if (errors.length > 0) refuseBlocks(errors);
  const hash = optionalString(args, 'hash');
  const current = ws.homes.get(userId);
  if (hash !== undefined && current && hash !== current.hash) throw new SlackApiRefusal('hash_conflict');
  return { view: viewJson(ws, ws.publishHome(userId, view)) };
};

/** views.open, views.push, views.update, views.publish */
export const viewsMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
