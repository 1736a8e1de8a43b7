import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'secret',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'avs-dr',
  AZURE_RECOVERY_VAULT: 'avs-dr-vault',
  FAILBACK_APPROVERS: 'U0APPROVER,S0GROUP',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  describe('with only the required variables', () => {
    it('applies the documented defaults', () => {
      const c = loadConfig(valid);
      expect(c.slack.mode).toBe('http');
      expect(c.port).toBe(3000);
      expect(c.slack.apiUrl).toBe('https://slack.com/api/');
      expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(c.azure.armEndpoint).toBe('https://management.azure.com');
      expect(c.policy.fourEyes).toBe(true);
      expect(c.policy.allowedChannels).toBeUndefined();
      expect(c.timing.asrPollIntervalMs).toBe(15_000);
      expect(c.timing.reprotectRetryIntervalMs).toBe(60_000);
      expect(c.timing.reprotectRetryWindowMs).toBe(20 * 60_000);
      expect(c.policy.maxVmsPerRun).toBe(100);
      expect(c.role).toBe('all');
      expect(c.logLevel).toBe('info');
    });

    it('splits approvers into users and user groups', () => {
      const c = loadConfig(valid);
      expect(c.policy.approverUsers).toEqual(['U0APPROVER']);
      expect(c.policy.approverGroups).toEqual(['S0GROUP']);
    });

    it('returns a frozen object', () => {
      const c = loadConfig(valid);
      expect(Object.isFrozen(c)).toBe(true);
      expect(Object.isFrozen(c.policy)).toBe(true);
    });
  });

  it('uses Socket Mode when an app token is set', () => {
    const c = loadConfig({ ...valid, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1' });
    expect(c.slack.mode).toBe('socket');
  });

  it('names every bad or missing variable at once', () => {
    const problems = problemsOf({
      SLACK_SIGNING_SECRET: 's',
      AZURE_SUBSCRIPTION_ID: 'not-a-guid',
      FAILBACK_APPROVERS: 'alice',
      PORT: 'eighty',
      FAILBACK_FOUR_EYES: 'maybe',
      FAILBACK_ROLE: 'boss',
      ASR_POLL_INTERVAL_SECONDS: '-1',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://x',
      FAILBACK_ALLOWED_CHANNELS: 'general',
    });
    const named = problems.map((p) => p.split(' ')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'AZURE_SUBSCRIPTION_ID',
        'AZURE_RESOURCE_GROUP',
        'AZURE_RECOVERY_VAULT',
        'FAILBACK_APPROVERS',
        'PORT',
        'FAILBACK_FOUR_EYES',
        'FAILBACK_ROLE',
        'ASR_POLL_INTERVAL_SECONDS',
        'LOG_LEVEL',
        'REDIS_URL',
        'FAILBACK_ALLOWED_CHANNELS',
      ]),
    );
  });

  it.each([
    ['HTTP mode without a signing secret', { SLACK_SIGNING_SECRET: undefined }, 'SLACK_SIGNING_SECRET'],
    ['Socket Mode without an app token', { SLACK_MODE: 'socket' }, 'SLACK_APP_TOKEN'],
    ['an empty approver list', { FAILBACK_APPROVERS: ' , ' }, 'FAILBACK_APPROVERS'],
    ['an unknown mode', { SLACK_MODE: 'carrier-pigeon' }, 'SLACK_MODE'],
    ['the autopilot without a process server', { FAILBACK_AUTO_REPROTECT: 'true' }, 'FAILBACK_DEFAULT_PROCESS_SERVER'],
    ['a run of no VMs', { FAILBACK_MAX_VMS_PER_RUN: '0' }, 'FAILBACK_MAX_VMS_PER_RUN'],
    [
      'runs larger than Slack’s messages are designed for',
      { FAILBACK_MAX_VMS_PER_RUN: '501' },
      'FAILBACK_MAX_VMS_PER_RUN',
    ],
    ['a fractional run size', { FAILBACK_MAX_VMS_PER_RUN: '2.5' }, 'FAILBACK_MAX_VMS_PER_RUN'],
    [
      'a missing signing secret next to other problems',
      { SLACK_SIGNING_SECRET: '', PORT: 'x' },
      'SLACK_SIGNING_SECRET',
    ],
  ])('refuses %s', (_name, override, variable) => {
    const problems = problemsOf({ ...valid, ...override });
    expect(problems.some((p) => p.startsWith(variable))).toBe(true);
  });

  it('does not put secret values in its message', () => {
    try {
      loadConfig({ ...valid, SLACK_BOT_TOKEN: 'xoxb-supersecret', AZURE_SUBSCRIPTION_ID: 'x' });
    } catch (e) {
      expect((e as Error).message).not.toContain('supersecret');
    }
  });

  it('takes the most VMs per run from FAILBACK_MAX_VMS_PER_RUN, up to 500', () => {
    expect(loadConfig({ ...valid, FAILBACK_MAX_VMS_PER_RUN: '500' }).policy.maxVmsPerRun).toBe(500);
    expect(loadConfig({ ...valid, FAILBACK_MAX_VMS_PER_RUN: '1' }).policy.maxVmsPerRun).toBe(1);
  });

  it('accepts fractional intervals for rehearsals', () => {
    expect(loadConfig({ ...valid, ASR_POLL_INTERVAL_SECONDS: '0.2' }).timing.asrPollIntervalMs).toBe(200);
  });
});

describe('documentation of the configuration', () => {
  it('lists every variable in the README table and in .env.example', () => {
    const readme = readFileSync(`${__dirname}/../../README.md`, 'utf8');
    const example = readFileSync(`${__dirname}/../../.env.example`, 'utf8');
    for (const v of CONFIG_VARIABLES) {
      expect(readme).toContain(`\`${v}\``);
      expect(example).toMatch(new RegExp(`^${v}=`, 'm'));
    }
  });
});
