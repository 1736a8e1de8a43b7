import type { JsonObject } from './types';

/** A Web API refusal: becomes `{ ok: false, error, ...extra }` with HTTP 200, as Slack answers. */
export class SlackApiRefusal extends Error {
  override readonly name = 'SlackApiRefusal';
  constructor(
    readonly error: string,
    readonly extra: JsonObject = {},
  ) {
    super(error);
  }
}

/**
 * A test asked the stand-in to do something a person could not do in Slack (click a button that
 * is not there, submit a closed modal, leave a required input empty).
 */
export class SlackUserActionError extends Error {
  override readonly name = 'SlackUserActionError';
}
