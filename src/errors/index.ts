/** Every error class of the bot, in one place. */
export * from './failback-errors';
export * from './come-back-later';
export { ConfigError } from './config-error';
export { SlackPlatformRefusal } from './slack-platform-refusal';
