/**
 * @failback/sandbox — a whole rehearsal world on loopback for the tests, the benchmark, `npm run demo`
 * and `npm run sandbox`: the emulated vault (@failback/asr-emulator), the Slack stand-in
 * (@failback/slack-standin), a private redis-server, the bot (in-process or as a built process) and
 * the people who use it.
 */
export * from './world';
export * from './person';
export * from './redis-server';
export * from './bot-process';
export { productRoot } from './product';
