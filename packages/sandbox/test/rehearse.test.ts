import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs the built rehearsal, as `npm run sandbox` does: needs `npm run build:sandbox` first (`npm test` runs it).
const REHEARSE = resolve(__dirname, '../dist/packages/sandbox/src/rehearse.js');

describe('npm run sandbox (rehearsal in a real workspace)', () => {
  it('without the Slack tokens and an approver, says what to set and how, starts nothing, exits 2', () => {
    const result = spawnSync(process.execPath, [REHEARSE], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('npm run sandbox needs SLACK_BOT_TOKEN, SLACK_APP_TOKEN, FAILBACK_APPROVERS');
    expect(result.stderr).toContain('slack-app-manifest.yml');
    expect(result.stdout).toBe('');
  });
});
