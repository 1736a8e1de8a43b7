import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/config';
import { DEFAULT_SCENARIO } from '@failback/asr-emulator';
import { webNodeOptions } from '../../src/bench/bench-bot';

const ROOT = join(__dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Every Web API method the bot calls (outside the sandbox) needs these bot scopes. */
const SCOPES_OF: Record<string, readonly string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'views.open': [],
  'views.update': [],
  'views.publish': [],
  'usergroups.users.list': ['usergroups:read'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};

/** Web API wrappers that call several methods. */
const WRAPPERS: Record<string, readonly string[]> = {
  filesUploadV2: ['files.getUploadURLExternal', 'files.completeUploadExternal'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    // The benchmark is not the bot; src/azure's `client` is the ARM client.
    if (statSync(p).isDirectory()) return name === 'bench' || name === 'azure' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function webApiMethodsCalled(): Set<string> {
  const methods = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclient\.(\w+)\.(\w+)(?:\.(\w+))?\(/g)) {
      methods.add([m[1], m[2], m[3]].filter(Boolean).join('.'));
    }
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclient\.(\w+)\(/g)) {
      for (const method of WRAPPERS[m[1] ?? ''] ?? []) methods.add(method);
    }
  }
  return methods;
}

describe('the Slack app manifest', () => {
  const manifest = parse(read('slack-app-manifest.yml'));

  it('asks for exactly the scopes of the Web API methods the code calls, and commands', () => {
    const called = webApiMethodsCalled();
    expect(called.size).toBeGreaterThan(3);
    const unknown = [...called].filter((m) => !(m in SCOPES_OF));
    expect(unknown).toEqual([]);
    const needed = new Set(['commands', ...[...called].flatMap((m) => SCOPES_OF[m] ?? [])]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });

  it('sends /failback, interactions and options loads to /slack/events', () => {
    const command = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/failback');
    expect(command.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.message_menu_options_url).toMatch(/\/slack\/events$/);
  });

  it('has the Home tab (no messages tab) and sends app_home_opened to /slack/events', () => {
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: false });
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
  });

  it('is an HTTP app by default, saying how to switch to Socket Mode', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(read('slack-app-manifest.yml')).toMatch(/socket_mode_enabled: true/);
  });
});

/** The Dockerfile's stages by name (`FROM image AS name`), in order. */
function dockerStages(dockerfile: string): { name: string; image: string; body: string }[] {
  return dockerfile
    .split(/^FROM /m)
    .slice(1)
    .map((body) => {
      const [, image = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(body) ?? [];
      return { name, image, body };
    });
}

/** Sources of a stage's `COPY` lines that come from the build context (not `--from=` another stage). */
function contextCopies(body: string): string[] {
  return [...body.matchAll(/^COPY (?!.*--from=)(?:--\S+ )*(.+)$/gm)].flatMap((m) =>
    (m[1] ?? '').split(/\s+/).slice(0, -1),
  );
}

/** Packages named by the import/export statements of these files (`node:` built-ins and relative paths left out). */
function packagesImported(files: readonly string[]): Set<string> {
  return new Set(
    files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\bfrom '([^'.][^']*)'|^import '([^'.][^']*)'/gm)]
        .map((m) => m[1] ?? m[2] ?? '')
        .filter((spec) => !spec.startsWith('node:'))
        .map((spec) =>
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  );
}

function tsFiles(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return skip.includes(p) ? [] : tsFiles(p, skip);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** The product's sources: src/ without the benchmark (which the sandbox build compiles). */
const productSources = () => tsFiles(join(ROOT, 'src'), [join(ROOT, 'src/bench')]);
const manifest = (p: string) =>
  JSON.parse(read(p)) as {
    name: string;
    dependencies?: Record<string, string>;
    bin?: Record<string, string>;
    workspaces?: string[];
  };

describe('the container', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerStages(dockerfile);
  const stage = (name: string) => stages.find((s) => s.name === name)?.body ?? '';
  const runtime = stage('runtime');

  it('is multi-stage on Node 20 and runs production dependencies only, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.find((s) => s.name === 'runtime')?.image).toMatch(/^node:20/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
  });

  it('builds the product by default: the runtime stage is the last one', () => {
    expect(stages.at(-1)?.name).toBe('runtime');
  });

  it('checks /healthz and starts the built bot', () => {
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(runtime).toMatch(/CMD \["node", "dist\/main\.js"\]/);
  });

  it('holds the product only: src/ built without the bench, the root package’s dependencies without the workspaces’', () => {
    // The runtime stage takes only the build's dist/, the production node_modules and the manifest.
    expect([...runtime.matchAll(/--from=(\S+)/g)].map((m) => m[1]).sort()).toEqual(['build', 'deps']);
    expect(contextCopies(runtime)).toEqual(['package.json']);
    // Those stages see no packages/ and install no workspace.
    for (const name of ['build', 'deps']) {
      expect(
        contextCopies(stage(name)).every((src) =>
          ['package.json', 'package-lock.json', 'tsconfig.base.json', 'tsconfig.build.json', 'src'].includes(src),
        ),
      ).toBe(true);
      const installs = [...stage(name).matchAll(/npm ci[^\n&]*/g)].map((m) => m[0]);
      expect(installs.length).toBe(1);
      for (const install of installs) expect(install).toContain('--workspaces=false');
    }
    // The product build compiles src/ only, and not the benchmark (a sandbox tool).
    const build = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), ts.sys.readFile).config as {
      include: string[];
      exclude: string[];
    };
    expect(build.include).toEqual(['src']);
    expect(build.exclude).toContain('src/bench');
  });

  it('builds the sandbox’s emulated vault as its own target, from packages/asr-emulator only', () => {
    const sandbox = stages.filter((s) => s.name.startsWith('sandbox'));
    expect(sandbox.map((s) => s.name)).toContain('sandbox');
    const copied = sandbox.flatMap((s) => contextCopies(s.body));
    expect(copied.filter((src) => src.startsWith('packages/') && !src.startsWith('packages/asr-emulator'))).toEqual([]);
    expect(stage('sandbox')).toMatch(/^USER node$/m);
  });
});

describe('the product’s dependencies', () => {
  it('are exactly the packages src/ imports (no sandbox package, no selfsigned)', () => {
    const root = manifest('package.json');
    expect(root.workspaces).toEqual(['packages/*']);
    expect(Object.keys(root.dependencies ?? {}).sort()).toEqual([...packagesImported(productSources())].sort());
    expect(root.dependencies).not.toHaveProperty('selfsigned');
  });

  it('never reach into the sandbox packages from src/', () => {
    const offenders = productSources().filter((f) =>
      /from '(@failback\/|(\.\.\/)+packages\/)/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it.each(['asr-emulator', 'slack-standin', 'sandbox'])(
    'leave packages/%s declaring what its sources import',
    (name) => {
      const pkg = manifest(`packages/${name}/package.json`);
      expect(pkg.name).toBe(`@failback/${name}`);
      const imported = packagesImported(tsFiles(join(ROOT, `packages/${name}/src`)));
      expect([...imported].filter((p) => !(p in (pkg.dependencies ?? {})))).toEqual([]);
    },
  );

  it('give the emulated vault its certificate maker, selfsigned, in its own package', () => {
    expect(manifest('packages/asr-emulator/package.json').dependencies).toHaveProperty('selfsigned');
  });
});

describe('docker compose', () => {
  const compose = parse(read('docker-compose.yml'));

  it('runs Redis with AOF persistence and no eviction', () => {
    const command = compose.services.redis.command.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(compose.services.redis.volumes.length).toBeGreaterThan(0);
  });

  it('points the bot at that Redis and waits until it is healthy', () => {
    const bot = compose.services['failback-bot'];
    expect(bot.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(bot.depends_on.redis.condition).toBe('service_healthy');
  });

  it('builds the production bot from the Dockerfile’s runtime target (the product only)', () => {
    expect(compose.services['failback-bot'].build).toEqual({ context: '.', target: 'runtime' });
  });

  it('never runs the production bot and the sandbox together: every service is in exactly one profile, each documented', () => {
    const profileOf = (name: string): string[] => compose.services[name].profiles ?? [];
    expect(Object.keys(compose.services).filter((n) => profileOf(n).length !== 1)).toEqual([]);
    expect(['redis', 'failback-bot'].map(profileOf)).toEqual([['production'], ['production']]);
    expect(['asr-emulator', 'sandbox-redis', 'sandbox-bot'].map(profileOf)).toEqual([
      ['sandbox'],
      ['sandbox'],
      ['sandbox'],
    ]);
    const readme = read('README.md');
    expect(readme).toContain('docker compose --profile production up -d');
    expect(readme).toContain('docker compose --profile sandbox up');
  });

  describe('the sandbox profile', () => {
    const emulator = compose.services['asr-emulator'];
    const bot = compose.services['sandbox-bot'];
    const caFile: string = emulator.environment.EMULATOR_CA_FILE;
    const volumeHolding = (service: { volumes: string[] }, file: string) =>
      service.volumes.map((v) => v.split(':')).find(([, dir]) => dir !== undefined && file.startsWith(`${dir}/`))?.[0];

    it('runs the emulated vault from the sandbox target (its package’s bin), reachable as asr-emulator, healthy once a client trusting its CA file is answered', () => {
      expect(emulator.build).toEqual({ context: '.', target: 'sandbox' });
      expect(emulator.command).toEqual(Object.keys(manifest('packages/asr-emulator/package.json').bin ?? {}));
      expect(emulator.environment.EMULATOR_HOST).toBe('0.0.0.0');
      expect(emulator.environment.EMULATOR_HOSTNAMES.split(',')[0]).toBe('asr-emulator');
      expect(emulator.healthcheck.test.join(' ')).toContain(caFile);
      expect(emulator.healthcheck.test.join(' ')).toContain(`port:${emulator.environment.EMULATOR_PORT}`);
      expect(volumeHolding(emulator, caFile)).toBeDefined();
    });

    it('runs the unchanged bot against it: trusts its CA, uses its endpoints, identity and vault, waits until it is healthy', () => {
      const env = bot.environment;
      expect(bot.build).toEqual(compose.services['failback-bot'].build);
      expect(bot.command).toBeUndefined();
      expect(env.NODE_EXTRA_CA_CERTS).toBe(caFile);
      expect(volumeHolding(bot, caFile)).toBe(volumeHolding(emulator, caFile));
      expect(env.AZURE_ARM_ENDPOINT).toBe(`https://asr-emulator:${emulator.environment.EMULATOR_PORT}`);
      expect(env.IDENTITY_ENDPOINT).toBe(
        `http://asr-emulator:${emulator.environment.EMULATOR_IDENTITY_PORT}/msi/token`,
      );
      expect(env.IDENTITY_HEADER).toBe(emulator.environment.EMULATOR_IDENTITY_HEADER);
      expect([env.AZURE_SUBSCRIPTION_ID, env.AZURE_RESOURCE_GROUP, env.AZURE_RECOVERY_VAULT]).toEqual([
        DEFAULT_SCENARIO.subscriptionId,
        DEFAULT_SCENARIO.resourceGroup,
        DEFAULT_SCENARIO.vault,
      ]);
      // .env's real Azure credentials are blanked, so DefaultAzureCredential reaches the emulator's identity.
      expect([env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET]).toEqual(['', '', '']);
      expect(env.SLACK_MODE).toBe('socket');
      expect(bot.depends_on['asr-emulator'].condition).toBe('service_healthy');
    });

    it('keeps rehearsal state in its own Redis, with the same persistence', () => {
      expect(bot.environment.REDIS_URL).toBe('redis://sandbox-redis:6379');
      expect(bot.depends_on['sandbox-redis'].condition).toBe('service_healthy');
      expect(compose.services['sandbox-redis'].command).toEqual(compose.services.redis.command);
    });
  });
});

describe('the Kubernetes manifests', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes/failback-bot.yaml')).map((d) => d.toJS() as K8s);
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const container = (d: K8s) => d.spec.template.spec.containers[0]!;
  const envOf = (d: K8s) => Object.fromEntries((container(d).env ?? []).map((e) => [e.name, e.value]));

  it('has one Deployment per role, each probed on /healthz and /readyz, non-root, with a disruption budget', () => {
    const deployments = of('Deployment');
    expect(deployments.map((d) => envOf(d).FAILBACK_ROLE).sort()).toEqual(['web', 'worker']);
    for (const d of deployments) {
      const c = container(d);
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(d.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(25); // SHUTDOWN_TIMEOUT_SECONDS default
      const labels = d.spec.selector.matchLabels;
      expect(
        of('PodDisruptionBudget').some((p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(labels)),
      ).toBe(true);
    }
  });

  it('bounds the web role’s V8 heap (what the bench measures it with), well inside its memory limit', () => {
    const web = of('Deployment').find((d) => envOf(d).FAILBACK_ROLE === 'web')!;
    const options = envOf(web).NODE_OPTIONS ?? '';
    expect(webNodeOptions()).toBe(options);
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(options)?.[1]);
    const limitMb = Number(/^(\d+)Mi$/.exec(container(web).resources?.limits?.memory ?? '')?.[1]);
    expect(oldSpaceMb).toBeGreaterThan(0);
    expect(oldSpaceMb * 2).toBeLessThanOrEqual(limitMb);
  });

  it('takes secrets from a Secret and uses workload identity, with no secret value in the file', () => {
    for (const d of of('Deployment')) {
      expect(container(d).envFrom).toContainEqual({ secretRef: { name: 'failback-bot-secrets' } });
      expect(d.spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
      expect(d.spec.template.spec.serviceAccountName).toBe('failback-bot');
    }
    expect(of('ServiceAccount')[0]?.metadata.annotations?.['azure.workload.identity/client-id']).toBeDefined();
    expect(read('deploy/kubernetes/failback-bot.yaml')).not.toMatch(/xoxb-\w|xapp-\w/);
    // Every ConfigMap key is a configuration variable the bot knows.
    for (const key of Object.keys(of('ConfigMap')[0]?.data ?? {})) expect(CONFIG_VARIABLES).toContain(key);
  });
});

interface K8s {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName?: string;
        terminationGracePeriodSeconds?: number;
        securityContext?: { runAsNonRoot?: boolean };
        containers: {
          env?: { name: string; value: string }[];
          envFrom?: unknown[];
          livenessProbe?: { httpGet?: { path: string } };
          readinessProbe?: { httpGet?: { path: string } };
          resources?: { limits?: { memory?: string } };
        }[];
      };
    };
  };
}
