/**
 * A conversation as a person reads it in Slack: messages (with their current content and thread
 * replies), ephemerals, what people did, and modals as they appeared — in time order.
 * Block Kit is kept as JSON; the renderers draw it.
 */

/** A Block Kit block (plain JSON). */
export type TranscriptBlock = { [key: string]: unknown };

/** Who wrote or did something. */
export interface TranscriptPerson {
  id: string;
  name: string;
  isBot: boolean;
}

/** A channel message (or thread reply) with its content as it is now. */
export interface TranscriptMessage {
  ts: string;
  at: number;
  author: TranscriptPerson;
  text: string;
  blocks: TranscriptBlock[];
  /** How many times it was edited (chat.update / replace_original). */
  editCount: number;
  files: { name: string; title?: string }[];
  reactions: { name: string; count: number }[];
}

/** One entry of the transcript. */
export type TranscriptEvent =
  | ({ kind: 'message'; channel: string; replies: TranscriptMessage[] } & TranscriptMessage)
  | {
      kind: 'ephemeral';
      at: number;
      channel: string;
      author: TranscriptPerson;
      visibleTo: TranscriptPerson;
      text: string;
      blocks: TranscriptBlock[];
    }
  | { kind: 'command'; at: number; channel: string; user: TranscriptPerson; command: string; text: string }
  | { kind: 'action'; at: number; user: TranscriptPerson; actionId: string; label?: string; where: 'message' | 'modal' }
  | {
      kind: 'modal';
      at: number;
      user: TranscriptPerson;
      viewId: string;
      phase: 'opened' | 'pushed' | 'updated';
      title: string;
      submit?: string;
      close?: string;
      blocks: TranscriptBlock[];
    }
  | {
      kind: 'modal_submitted';
      at: number;
      user: TranscriptPerson;
      viewId: string;
      title: string;
      values: { label: string; value: string }[];
    }
  | {
      kind: 'modal_errors';
      at: number;
      user: TranscriptPerson;
      viewId: string;
      errors: { field: string; message: string }[];
    }
  | {
      kind: 'modal_closed';
      at: number;
      user: TranscriptPerson;
      viewId: string;
      title: string;
      by: 'user' | 'submission' | 'clear';
    };

/** A transcript plus the names the renderers need for `<@U…>` and `<#C…>`. */
export interface Transcript {
  events: TranscriptEvent[];
  /** user id → display handle */
  users: Record<string, string>;
  /** channel id → name */
  channels: Record<string, string>;
}
