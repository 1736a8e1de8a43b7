import { App, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { boltLogger } from '../logging';
import { socketModeRequestId } from '../observability/slack-context';
import { fairRequestListener } from './fair-requests';

/**
 * Web API options of every Slack call a listener makes. Listener calls answer a person now (a
 * trigger_id lives 3 s): each call gives up after 2.5 s, with one quick retry — never the client's
 * default of retries over half an hour, which would hold a trigger long past its life.
 */
export function listenerClientOptions(config: Pick<Config, 'slack'>) {
  return {
    slackApiUrl: config.slack.apiUrl,
    timeout: 2_500,
    retryConfig: { retries: 1, factor: 1.5, minTimeout: 200, maxTimeout: 500 },
  };
}

/**
 * The Slack receiver: HTTP (signed requests on /slack/events) or Socket Mode. Socket Mode opens its
 * connection with apps.connections.open on SLACK_API_URL too, so GovSlack (slack-gov.com) works.
 */
export function slackReceiver(
  config: Pick<Config, 'slack' | 'port'>,
  log: Logger,
  customRoutes: CustomRoute[],
): Receiver {
  if (config.slack.mode === 'http') {
    const logger = boltLogger(log);
    const receiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      customRoutes,
      logger,
    });
    // The receiver's server calls this property for each request: bursts are served in turn. What
    // its listener throws (an unknown path: 404) is answered as the receiver's server would.
    receiver.requestListener = fairRequestListener(receiver.requestListener, {
      onError: (error, request, response) =>
        HTTPModuleFunctions.defaultDispatchErrorHandler({ error: error as Error, logger, request, response }),
      onShed: (count) => log.warn({ count }, 'turned Slack requests away (503): the web process is overloaded'),
    });
    return receiver;
  }
  return new SocketModeReceiver({
    appToken: config.slack.appToken ?? '',
    customRoutes,
    customPropertiesExtractor: socketModeRequestId,
    installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
    logger: boltLogger(log),
  });
}

/** The Bolt app on that receiver. */
export function boltApp(config: Pick<Config, 'slack' | 'port'>, log: Logger, customRoutes: CustomRoute[]): App {
  return new App({
    token: config.slack.botToken,
    receiver: slackReceiver(config, log, customRoutes),
    logger: boltLogger(log),
    clientOptions: listenerClientOptions(config),
    // No listener reads `context.conversation`; Bolt's default in-memory conversation store would
    // otherwise run a middleware and keep an entry per conversation on every request.
    convoStore: false,
  });
}
