import pino, { type Logger } from 'pino';
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import { currentLogContext } from './observability/log-context';

/** Paths that may carry secrets; pino replaces them before a line is written. */
const REDACT = [
  'token',
  '*.token',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'config.slack.botToken',
  'config.slack.signingSecret',
  'config.slack.appToken',
  'access_token',
  '*.access_token',
  'client_secret',
];

/**
 * The bot's logger. Every line carries the run id and Slack request id of the request or job it
 * was written for (see observability/log-context), unless the line or its child logger names them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { app: 'failback-bot' },
      mixin: (merge, _level, logger) => contextFields(merge, logger),
    },
    destination,
  );
}

function contextFields(merge: object, logger: Logger): object {
  const context = currentLogContext();
  if (!context) return {};
  // pino would write a key twice (JSON with duplicate keys) if a child logger already binds it.
  const bound = logger.bindings();
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined && !(key in merge) && !(key in bound)) fields[key] = value;
  }
  return fields;
}

/** Bolt's logger interface on top of pino, so Bolt's lines are structured and redacted too. */
export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
