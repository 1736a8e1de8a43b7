import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksFileError, loadChecksFile, parseChecksFile, parseDuration } from '../../src/checks';
import { ConfigError } from '../../src/errors';
import { checksFor, DEFAULT_CHECKS_DEFAULTS } from '../../src/domain/app-checks';

const VALID = `
checks:
  - name: Web front door
    vms: [web-01, WEB-02]
    http:
      url: https://web.corp.example/health
      bodyContains: OK
  - name: SQL listener
    plans: [Tier-1 apps]
    vault: avs-dr-vault
    timeout: 10s
    tcp:
      host: sql-01.corp.example
      port: 1433
  - name: App DNS
    vms: [web-01]
    dns:
      name: app.corp.example
      expectAddress: 10.20.0.15
`;

/** The problems of a file that must not parse. */
function problemsOf(text: string): string[] {
  try {
    parseChecksFile(text, 'checks.yaml');
  } catch (e) {
    if (e instanceof ChecksFileError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ChecksFileError');
}

/** One check entry in a file of its own, at line 3. */
const oneCheck = (entry: string) => `checks:\n  - name: c\n${entry.replace(/^/gm, '    ')}\n`;

describe('parseChecksFile', () => {
  describe('with a valid file and no defaults', () => {
    const config = parseChecksFile(VALID, 'checks.yaml');

    it('applies the documented defaults', () => {
      expect(config.defaults).toEqual({ windowMs: 15 * 60_000, intervalMs: 30_000, timeoutMs: 5_000, concurrency: 8 });
      expect(config.defaults).toEqual(DEFAULT_CHECKS_DEFAULTS);
    });

    it('reads each kind with its own fields and the check defaults', () => {
      expect(config.checks).toEqual([
        {
          name: 'Web front door',
          kind: 'http',
          url: 'https://web.corp.example/health',
          expectStatus: 200,
          bodyContains: 'OK',
          insecureTls: false,
          timeoutMs: 5_000,
          target: { vms: ['web-01', 'WEB-02'], plans: [] },
        },
        {
          name: 'SQL listener',
          kind: 'tcp',
          host: 'sql-01.corp.example',
          port: 1433,
          timeoutMs: 10_000,
          target: { vms: [], plans: ['Tier-1 apps'], vault: 'avs-dr-vault' },
        },
        {
          name: 'App DNS',
          kind: 'dns',
          hostname: 'app.corp.example',
          expectAddress: '10.20.0.15',
          timeoutMs: 5_000,
          target: { vms: ['web-01'], plans: [] },
        },
      ]);
    });

    it('returns a frozen config', () => {
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.checks)).toBe(true);
    });

    it('selects checks by VM name case-insensitively, by plan, and by vault', () => {
      const names = (vm: { name: string; vault?: string }, plans: string[]) =>
        checksFor(config, vm, plans).map((c) => c.name);
      expect(names({ name: 'web-02' }, [])).toEqual(['Web front door']);
      expect(names({ name: 'Web-01' }, [])).toEqual(['Web front door', 'App DNS']);
      expect(names({ name: 'sql-01', vault: 'AVS-DR-VAULT' }, ['tier-1 APPS'])).toEqual(['SQL listener']);
      expect(names({ name: 'sql-01', vault: 'other-vault' }, ['Tier-1 apps'])).toEqual([]);
      expect(names({ name: 'sql-01' }, ['Tier-1 apps'])).toEqual([]);
    });
  });

  it('takes the defaults the file gives', () => {
    const config = parseChecksFile(
      `defaults:\n  window: 20m\n  interval: 10s\n  timeout: 2500\n  concurrency: 3\n${oneCheck('vms: [a]\ntcp: {host: a, port: 22}')}`,
      'checks.yaml',
    );
    expect(config.defaults).toEqual({ windowMs: 20 * 60_000, intervalMs: 10_000, timeoutMs: 2_500, concurrency: 3 });
    expect(config.checks[0]?.timeoutMs).toBe(2_500);
  });

  it('keeps only the first of two same-named checks that reach one VM in ways the file cannot see', () => {
    const config = parseChecksFile(
      'checks:\n' +
        '  - {name: Web, vms: [web-01], tcp: {host: a, port: 80}}\n' +
        '  - {name: web, plans: [P], tcp: {host: b, port: 80}}\n',
      'checks.yaml',
    );
    expect(checksFor(config, { name: 'web-01' }, ['P']).map((c) => c.kind === 'tcp' && c.host)).toEqual(['a']);
  });

  describe('with several problems', () => {
    const text = [
      'defaults:', //                                                   1
      '  window: forever', //                                           2
      'checks:', //                                                     3
      '  - name: Web', //                                               4
      '    vms: [web-01]', //                                           5
      '    http:', //                                                   6
      '      url: ftp://web.corp.example/', //                          7
      '  - name: Creds', //                                             8
      '    vms: [web-01]', //                                           9
      '    http:', //                                                  10
      '      url: https://admin:s3cret@web.corp.example/', //          11
      '  - name: Port', //                                             12
      '    plans: [P]', //                                             13
      '    tcp:', //                                                   14
      '      host: db', //                                             15
      '      port: 70000', //                                          16
      '  - name: Nowhere', //                                          17
      '    dns: {name: app.corp.example, expectAddress: app-01}', //   18
      '  - name: Both', //                                             19
      '    vms: [web-02]', //                                          20
      '    tcp: {host: a, port: 1}', //                                21
      '    dns: {name: a}', //                                         22
      '  - name: web', //                                              23
      '    vms: [WEB-01]', //                                          24
      '    tcp: {host: a, port: 1}', //                                25
      '    expect_status: 200', //                                     26
    ].join('\n');

    it('throws one error naming every problem with its line, in line order', () => {
      expect(problemsOf(text)).toEqual([
        'checks.yaml line 2 (defaults.window): not a duration (30s, 15m, 2m30s, or milliseconds)',
        'checks.yaml line 7 (checks[0].http.url): not an http(s) URL',
        'checks.yaml line 11 (checks[1].http.url): must not contain credentials (user:pass@)',
        'checks.yaml line 16 (checks[2].tcp.port): must be between 1 and 65535',
        'checks.yaml line 17 (checks[3]): applies to no VM: list vms or plans (or both)',
        'checks.yaml line 18 (checks[3].dns.expectAddress): not an IP address literal',
        'checks.yaml line 22 (checks[4].dns): has two kinds at once (tcp and dns): one per check',
        'checks.yaml line 23 (checks[5].name): duplicate name "web" for VM web-01 (also checks[0], line 4)',
        'checks.yaml line 26 (checks[5].expect_status): unknown key "expect_status"',
      ]);
    });

    it('is a ConfigError whose message lists them all', () => {
      let error: unknown;
      try {
        parseChecksFile(text, 'checks.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', sourceName: 'checks.yaml' });
      const message = (error as Error).message;
      expect(message.split('\n')[0]).toBe('Invalid checks file checks.yaml:');
      expect(message.split('\n')).toHaveLength(10);
    });
  });

  describe('refuses', () => {
    it.each([
      [
        'a non-http scheme',
        'vms: [a]\nhttp: {url: "file:///etc/passwd"}',
        'line 4 (checks[0].http.url): not an http(s) URL',
      ],
      ['text that is no URL', 'vms: [a]\nhttp: {url: "web-01/health"}', 'line 4 (checks[0].http.url): not a URL'],
      [
        'credentials in the URL',
        'vms: [a]\nhttp: {url: "http://user@a/"}',
        'line 4 (checks[0].http.url): must not contain credentials (user:pass@)',
      ],
      [
        'insecureTls on plain http',
        'vms: [a]\nhttp: {url: "http://a/", insecureTls: true}',
        'line 4 (checks[0].http.insecureTls): insecureTls applies to https URLs only',
      ],
      [
        'an unknown key in a kind',
        'vms: [a]\ntcp: {host: a, port: 1, tls: true}',
        'line 4 (checks[0].tcp.tls): unknown key "tls"',
      ],
      ['a check without a kind', 'vms: [a]', 'line 2 (checks[0]): needs one kind: http, tcp or dns'],
      [
        'a check with no VM',
        'vms: []\ntcp: {host: a, port: 1}',
        'line 2 (checks[0]): applies to no VM: list vms or plans (or both)',
      ],
      ['port 0', 'vms: [a]\ntcp: {host: a, port: 0}', 'line 4 (checks[0].tcp.port): must be between 1 and 65535'],
      [
        'a port that is text',
        'vms: [a]\ntcp: {host: a, port: http}',
        'line 4 (checks[0].tcp.port): must be a whole number',
      ],
      ['a missing port', 'vms: [a]\ntcp:\n  host: a', 'line 4 (checks[0].tcp.port): is required'],
      [
        'a host that is no name',
        'vms: [a]\ntcp: {host: "a b", port: 1}',
        'line 4 (checks[0].tcp.host): not a host name or IP address',
      ],
      [
        'an expected status out of range',
        'vms: [a]\nhttp: {url: "http://a/", expectStatus: 42}',
        'line 4 (checks[0].http.expectStatus): must be an HTTP status (100-599)',
      ],
      [
        'a timeout that is no duration',
        'vms: [a]\ntimeout: soon\ntcp: {host: a, port: 1}',
        'line 4 (checks[0].timeout): not a duration (30s, 15m, 2m30s, or milliseconds)',
      ],
      [
        'a timeout too long',
        'vms: [a]\ntimeout: 1h\ntcp: {host: a, port: 1}',
        'line 4 (checks[0].timeout): must be between 100ms and 2m',
      ],
      ['vms as a single name', 'vms: a\ntcp: {host: a, port: 1}', 'line 3 (checks[0].vms): must be a list'],
    ])('%s', (_what, entry, problem) => {
      expect(problemsOf(oneCheck(entry))).toEqual([`checks.yaml ${problem}`]);
    });

    it('same-named checks for one plan in the same vault', () => {
      const text =
        'checks:\n  - {name: A, plans: [P], tcp: {host: a, port: 1}}\n  - {name: a, plans: [p], vault: v, tcp: {host: b, port: 1}}\n';
      expect(problemsOf(text)).toEqual([
        'checks.yaml line 3 (checks[1].name): duplicate name "a" for plan p (also checks[0], line 2)',
      ]);
    });

    it('duplicate keys, with the line of the YAML error', () => {
      const [problem] = problemsOf('checks:\n  - name: a\n    name: b\n');
      expect(problem).toMatch(/^checks\.yaml line 3: .*unique/);
    });

    it('an empty file and unknown top-level keys', () => {
      expect(problemsOf('')).toEqual(['checks.yaml line 1 (top level): must be a mapping']);
      expect(problemsOf('checks: []\nchecksum: 1\n')).toEqual([
        'checks.yaml line 2 (checksum): unknown key "checksum"',
      ]);
    });
  });

  it('allows the same name for different VMs, plans or vaults', () => {
    const text =
      'checks:\n' +
      '  - {name: Web, vms: [a], tcp: {host: a, port: 1}}\n' +
      '  - {name: Web, vms: [b], tcp: {host: b, port: 1}}\n' +
      '  - {name: Web, plans: [P], vault: v1, tcp: {host: c, port: 1}}\n' +
      '  - {name: Web, plans: [P], vault: v2, tcp: {host: d, port: 1}}\n';
    expect(parseChecksFile(text, 'checks.yaml').checks).toHaveLength(4);
  });
});

describe('parseDuration', () => {
  it.each([
    [30000, 30_000],
    ['30000', 30_000],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2m30s', 150_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    [' 45s ', 45_000],
  ])('reads %p as %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([[''], ['s'], ['1.5s'], ['30 s'], ['-5s'], ['5d'], [-1], [1.5], [true], [null]])('refuses %p', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('loadChecksFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checks-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses the file, naming it in errors', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, VALID);
    await writeFile(bad, oneCheck('vms: [a]\ntcp: {host: a, port: 0}'));
    await expect(loadChecksFile(good)).resolves.toMatchObject({ checks: [{ name: 'Web front door' }, {}, {}] });
    await expect(loadChecksFile(bad)).rejects.toMatchObject({
      problems: [`${bad} line 4 (checks[0].tcp.port): must be between 1 and 65535`],
    });
  });

  it('reports a missing file as a checks file error', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(loadChecksFile(missing)).rejects.toMatchObject({
      name: 'ConfigError',
      problems: [`${missing}: cannot be read (ENOENT)`],
    });
  });
});

describe('the example in docs/app-checks.md', () => {
  it('parses', () => {
    const doc = readFileSync(join(__dirname, '../../docs/app-checks.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const config = parseChecksFile(example ?? '', 'docs/app-checks.md');
    expect(config.checks.map((c) => c.kind)).toEqual(['http', 'http', 'tcp', 'dns']);
    expect(config.defaults).toEqual(DEFAULT_CHECKS_DEFAULTS);
  });
});
