import type { JsonObject } from './types';

/**
 * What people did and what happened to modals, in time order. Messages and ephemerals carry their
 * own times; together they make the transcript.
 */
export type StandInActivity = ActivityInput & {
  /** Wall-clock ms (stand-in clock). */
  at: number;
  /** Global order across messages, ephemerals and activity (times can tie). */
  seq: number;
};

/** An activity entry before the state stamps it with time and order. */
export type ActivityInput =
  | { type: 'command'; userId: string; channelId: string; command: string; text: string }
  | {
      type: 'block_action';
      userId: string;
      channelId?: string;
      messageTs?: string;
      viewId?: string;
      actionId: string;
      blockId?: string;
      /** The visible label: button text or selected option text. */
      label?: string;
    }
  | { type: 'view_opened' | 'view_pushed' | 'view_updated'; userId: string; viewId: string; view: JsonObject }
  | { type: 'view_submitted'; userId: string; viewId: string; values: JsonObject }
  | { type: 'view_errors'; userId: string; viewId: string; errors: Record<string, string> }
  | { type: 'view_closed'; userId: string; viewId: string; by: 'user' | 'submission' | 'clear' }
  | { type: 'reaction_added'; userId: string; channelId: string; messageTs: string; name: string };
