import { randomUUID } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { withLogContext } from './log-context';

/** Context key the Socket Mode receiver fills with the envelope id (see `socketModeRequestId`). */
export const SLACK_REQUEST_ID = 'slackRequestId';

/** For SocketModeReceiver's `customPropertiesExtractor`: Slack's envelope id names the request. */
export function socketModeRequestId(args: { envelope_id?: unknown }): Record<string, string> {
  return typeof args.envelope_id === 'string' ? { [SLACK_REQUEST_ID]: args.envelope_id } : {};
}

/**
 * Global Bolt middleware: the rest of the chain (and everything the listeners start) runs in a log
 * context naming this Slack request, so every line written for it carries `slackRequestId`. Over
 * HTTP Slack sends no request id: one is made per request. `onClient` sees each listener's client.
 */
export function slackLogContext(onClient: (client: WebClient) => void): Middleware<AnyMiddlewareArgs> {
  return async ({ context, client, next }) => {
    onClient(client);
    const given = context[SLACK_REQUEST_ID];
    const slackRequestId = typeof given === 'string' && given ? given : randomUUID();
    const retry = context.retryNum;
    await withLogContext(
      { slackRequestId, ...(typeof retry === 'number' && retry > 0 ? { slackRetryNum: retry } : {}) },
      next,
    );
  };
}
