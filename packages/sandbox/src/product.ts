/**
 * The product, as the sandbox starts it. This is the one module of the sandbox packages that imports
 * failback-bot's own sources (the repository's src/, by relative path); the rest of the sandbox uses
 * them through here. The sandbox's build (tsconfig.build.json, rootDir = the repository) compiles
 * those sources together with the sandbox, so the bot that `npm run demo`, `npm run sandbox` and the
 * tests run in-process is always this checkout's; bot *processes* run the product build (dist/main.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export { ConfigError, loadConfig, type Config } from '../../../src/config';
export { startRuntime, type Runtime, type RuntimeOptions } from '../../../src/runtime';
export { createLogger } from '../../../src/logging';
export { ACTION, BLOCK, CALLBACK } from '../../../src/bot/ids';

const PRODUCT_NAME = 'failback-bot';

/**
 * The repository root: the nearest directory above this module whose package.json is the product's.
 * Found by walking up because this module runs from packages/sandbox/src (ts-jest) and from
 * packages/sandbox/dist/packages/sandbox/src (built), at different depths.
 */
export function productRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PRODUCT_NAME)
      return dir;
    if (dirname(dir) === dir) throw new Error(`no ${PRODUCT_NAME} package.json above ${from}`);
  }
}
