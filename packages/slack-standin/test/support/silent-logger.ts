import { LogLevel, type Logger } from '@slack/web-api';

/** For a WebClient in these tests: web-api logs Slack's `[ERROR] …` answers; the refusals here are expected. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};
