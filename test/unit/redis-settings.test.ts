import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_KEY_PREFIX, keyPrefix } from '../../src/store/keys';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: 'secret',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'avs-dr',
  AZURE_RECOVERY_VAULT: 'avs-dr-vault',
  FAILBACK_APPROVERS: 'U0APPROVER',
};
const OBJECT_ID = '0b6f4f1e-7a53-4d43-9c2b-5a1f0e2d3c4b';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('the Redis settings', () => {
  it('default to one Redis, a password in the URL if any, and the system CAs', () => {
    expect(loadConfig(valid).redis).toEqual({ cluster: false, auth: { kind: 'password' }, tlsCaFile: undefined });
  });

  it('read a cluster with Microsoft Entra ID over TLS with a private CA', () => {
    const c = loadConfig({
      ...valid,
      REDIS_URL: 'rediss://failback.westeurope.redis.azure.net:10000',
      REDIS_CLUSTER: 'true',
      REDIS_AUTH: 'entra',
      REDIS_ENTRA_USER: OBJECT_ID,
      REDIS_TLS_CA_FILE: '/etc/failback/redis-ca.pem',
    });
    expect(c.redisUrl).toBe('rediss://failback.westeurope.redis.azure.net:10000');
    expect(c.redis).toEqual({
      cluster: true,
      auth: { kind: 'entra', user: OBJECT_ID },
      tlsCaFile: '/etc/failback/redis-ca.pem',
    });
  });

  it.each([
    ['an unknown authentication', { REDIS_AUTH: 'kerberos' }, 'REDIS_AUTH'],
    ['a cluster flag that is no boolean', { REDIS_CLUSTER: 'sometimes' }, 'REDIS_CLUSTER'],
    ['Entra without the identity’s object id', { REDIS_AUTH: 'entra' }, 'REDIS_ENTRA_USER'],
    ['an object id that is no GUID', { REDIS_AUTH: 'entra', REDIS_ENTRA_USER: 'failback-bot' }, 'REDIS_ENTRA_USER'],
    [
      'Entra with a password in the URL as well',
      { REDIS_AUTH: 'entra', REDIS_ENTRA_USER: OBJECT_ID, REDIS_URL: 'rediss://:secret@cache:10000' },
      'REDIS_URL',
    ],
    ['a cluster behind a unix socket', { REDIS_CLUSTER: 'true', REDIS_URL: 'unix:///run/redis.sock' }, 'REDIS_URL'],
    ['a CA file without TLS', { REDIS_TLS_CA_FILE: '/ca.pem', REDIS_URL: 'redis://cache:6379' }, 'REDIS_TLS_CA_FILE'],
  ])('refuses %s, naming the variable', (_name, override, variable) => {
    expect(problemsOf({ ...valid, ...override }).some((p) => p.startsWith(variable))).toBe(true);
  });

  it('names every bad Redis variable at once, with the others', () => {
    const named = problemsOf({
      ...valid,
      PORT: 'eighty',
      REDIS_CLUSTER: 'maybe',
      REDIS_AUTH: 'entra',
      REDIS_TLS_CA_FILE: '/ca.pem',
    }).map((p) => p.split(' ')[0]);
    expect(named).toEqual(expect.arrayContaining(['PORT', 'REDIS_CLUSTER', 'REDIS_ENTRA_USER', 'REDIS_TLS_CA_FILE']));
  });

  it('never repeats the password of the URL in its message', () => {
    const message = problemsOf({
      ...valid,
      REDIS_AUTH: 'entra',
      REDIS_ENTRA_USER: OBJECT_ID,
      REDIS_URL: 'rediss://:supersecret@cache:10000',
    }).join('\n');
    expect(message).not.toContain('supersecret');
  });
});

describe('the key prefix', () => {
  it('is one hash tag, so that every key of the bot hashes to one Redis Cluster slot', () => {
    expect(DEFAULT_KEY_PREFIX).toBe('{fb}');
    expect(keyPrefix('fb')).toBe('{fb}');
    expect(keyPrefix('{fb}')).toBe('{fb}');
    expect(keyPrefix(keyPrefix('t-1a2b-'))).toBe('{t-1a2b-}');
  });

  it.each(['', '{fb', 'f{b}', '{a}{b}'])('refuses %j (its hash tag would not be the whole prefix)', (prefix) => {
    expect(() => keyPrefix(prefix)).toThrow(/hash tag/);
  });
});
