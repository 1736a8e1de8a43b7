import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/config';

const ROOT = join(__dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Every Web API method the bot calls (outside the sandbox) needs these bot scopes. */
const SCOPES_OF: Record<string, readonly string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'views.open': [],
  'views.update': [],
  'usergroups.users.list': ['usergroups:read'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    // The sandbox is not the bot; src/azure's `client` is the ARM client.
    if (statSync(p).isDirectory()) return name === 'sandbox' || name === 'azure' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function webApiMethodsCalled(): Set<string> {
  const methods = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclient\.(\w+)\.(\w+)(?:\.(\w+))?\(/g)) {
      methods.add([m[1], m[2], m[3]].filter(Boolean).join('.'));
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
});

describe('the container', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';

  it('is multi-stage on Node 20 and runs production dependencies only, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^node:20/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
  });

  it('checks /healthz and starts the built bot', () => {
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(runtime).toMatch(/CMD \["node", "dist\/main\.js"\]/);
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
      expect(of('PodDisruptionBudget').some((p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(labels))).toBe(true);
    }
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
        }[];
      };
    };
  };
}
