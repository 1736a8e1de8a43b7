import type { JsonObject } from './types';
import type { WorkspaceState } from './workspace-state';

/** What a Web API method handler gets. */
export interface MethodContext {
  ws: WorkspaceState;
  args: JsonObject;
  /** `http://127.0.0.1:<port>/` — for permalinks, upload and response URLs. */
  baseUrl: string;
}

/** A Web API method: returns the success body (without `ok`) or throws SlackApiRefusal. */
export type MethodHandler = (ctx: MethodContext) => JsonObject;
