/** The built bot (`dist/main.js`) as a real child process, to kill -9 and restart. */
export { startBotProcess, type BotProcess } from '@failback/sandbox';
