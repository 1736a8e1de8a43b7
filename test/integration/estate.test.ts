/**
 * The whole estate (issue #18): two Recovery Services vaults in two subscriptions and regions, one
 * /failback for both — the form groups the VMs by vault, a request across vaults makes one run per
 * vault, each run's steps go to its own vault, and a vault the identity cannot read is one clear
 * line (form, /readyz, App Home), never a failed run.
 */
import { request } from 'node:http';
import { DEFAULT_SCENARIO, SECOND_SCENARIO } from '@failback/asr-emulator';
import type { Runtime } from '../../src/runtime';
import { ACTION } from '../../src/bot/ids';
import {
  blocksOf,
  failBackAcrossVaults,
  findAction,
  INCIDENT_CHANNEL,
  openHome,
  openRequestModal,
  optionGroupLabels,
  PEOPLE,
  type SandboxWorld,
  startSandboxWorld,
  textOf,
} from '@failback/sandbox';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { startBotProcess, type BotProcess } from '../support/bot-process';

jest.setTimeout(180_000);

let world: SandboxWorld | undefined;
let bot: Runtime | undefined;
const processes: BotProcess[] = [];

afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill('SIGTERM');
  await bot?.stop();
  bot = undefined;
  await world?.stop();
  world = undefined;
});

async function twoVaults(): Promise<SandboxWorld> {
  world = await startSandboxWorld({
    redisUrl: testRedisUrl(),
    prefix: uniquePrefix('estate'),
    vaults: 'two',
    emulator: { taskMs: 200 },
  });
  return world;
}

/** The emulator's operation POSTs of one kind, per vault name. */
function postsByVault(w: SandboxWorld, kind: 'unplannedFailover' | 'plannedFailover' | 'failoverCommit' | 'reprotect') {
  const counts: Record<string, number> = {};
  for (const p of w.emulator.operationPosts(kind)) {
    const vault = /\/vaults\/([^/]+)\//i.exec(p.path)?.[1] ?? '?';
    counts[vault] = (counts[vault] ?? 0) + 1;
  }
  return counts;
}

function readyz(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    })
      .on('error', reject)
      .end();
  });
}

describe('one bot, two vaults in two subscriptions', () => {
  it('offers the VMs of both vaults grouped by vault and region, and a request across vaults makes one run per vault, each to Done in its own vault', async () => {
    const w = await twoVaults();
    bot = await w.startBot();
    const { view } = await openRequestModal(w);
    const select = findAction(blocksOf(view), ACTION.vms);
    await w.slack.waitFor(() =>
      optionGroupLabels(findAction(blocksOf(view), ACTION.vms)).length === 2 ? true : undefined,
    );
    expect(optionGroupLabels(select)).toEqual([
      `${DEFAULT_SCENARIO.vault} (westeurope)`,
      `${SECOND_SCENARIO.vault} (northeurope)`,
    ]);

    const { cards, reply } = await failBackAcrossVaults(w, ['app-01', 'ne-app-01'], 2);
    expect(JSON.stringify(reply)).toMatch(/one vault, so this request made 2/);
    // Each run names its vault on the card; each vault got exactly its own operations.
    expect(textOf(cards[0]!)).toContain(`${DEFAULT_SCENARIO.vault} (westeurope)`);
    expect(textOf(cards[1]!)).toContain(`${SECOND_SCENARIO.vault} (northeurope)`);
    for (const kind of ['unplannedFailover', 'failoverCommit', 'reprotect'] as const) {
      const counts = postsByVault(w, kind);
      expect(counts[DEFAULT_SCENARIO.vault]).toBeGreaterThanOrEqual(1);
      expect(counts[SECOND_SCENARIO.vault]).toBeGreaterThanOrEqual(1);
    }
    expect(postsByVault(w, 'unplannedFailover')).toEqual({
      [DEFAULT_SCENARIO.vault]: 1,
      [SECOND_SCENARIO.vault]: 1,
    });
    expect(postsByVault(w, 'failoverCommit')).toEqual({ [DEFAULT_SCENARIO.vault]: 1, [SECOND_SCENARIO.vault]: 1 });
    // The second run's job links go to its own vault in the portal.
    expect(JSON.stringify(cards[1]!.blocks)).toContain(`/vaults/${SECOND_SCENARIO.vault}/replicationJobs/`);
  });

  it('a vault the identity cannot read is one clear line in the form, /readyz and App Home; the other vault works', async () => {
    const w = await twoVaults();
    w.emulator.denyVault(SECOND_SCENARIO.vault, true);
    bot = await w.startBot();
    const { view } = await openRequestModal(w);
    const text = textOf(view);
    expect(text).toContain(`${SECOND_SCENARIO.vault}`);
    expect(text).toMatch(
      /cannot be read, so its VMs are not listed: .*AuthorizationFailed|does not have authorization/,
    );
    expect(text).toContain('app-01');
    expect(text).not.toContain('ne-app-01');

    const health = await readyz(bot.port);
    expect(health.status).toBe(200);
    const vaults = health.body.vaults as Record<string, string>;
    expect(vaults[`${DEFAULT_SCENARIO.vault} (westeurope)`]).toBe('ok');
    expect(Object.entries(vaults).find(([k]) => k.startsWith(SECOND_SCENARIO.vault))?.[1]).toMatch(/^cannot read: /);

    await w.slack.sendCommand({ userId: PEOPLE.requester.id, channelId: INCIDENT_CHANNEL, text: 'readiness' });
    await w.slack.waitFor((s) => s.messages(INCIDENT_CHANNEL).find((m) => /readiness/i.test(m.text ?? '')));
    const home = await openHome(w, PEOPLE.approver.id);
    expect(textOf(home)).toMatch(new RegExp(`${SECOND_SCENARIO.vault}.*cannot be read`));
  });

  it('discovers the vaults of the listed subscriptions when none is named', async () => {
    world = await startSandboxWorld({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('discover'),
      vaults: 'two',
      env: {
        AZURE_SUBSCRIPTION_ID: '',
        AZURE_RESOURCE_GROUP: '',
        AZURE_RECOVERY_VAULT: '',
        AZURE_RECOVERY_VAULTS: '',
        AZURE_VAULT_SUBSCRIPTIONS: `${DEFAULT_SCENARIO.subscriptionId},${SECOND_SCENARIO.subscriptionId}`,
      },
    });
    expect(world.config.azure.vaults).toEqual([]);
    bot = await world.startBot();
    const { view } = await openRequestModal(world);
    expect(optionGroupLabels(findAction(blocksOf(view), ACTION.vms))).toEqual([
      `${DEFAULT_SCENARIO.vault} (westeurope)`,
      `${SECOND_SCENARIO.vault} (northeurope)`,
    ]);
  });

  it('a web process and two workers run a run in each vault to Done', async () => {
    const w = await twoVaults();
    for (let i = 0; i < 2; i++) processes.push(await startBotProcess({ ...w.env, FAILBACK_ROLE: 'worker' }));
    const web = await startBotProcess({ ...w.env, FAILBACK_ROLE: 'web' });
    processes.push(web);
    w.slack.botUrl = `http://127.0.0.1:${web.port}/slack/events`;
    await failBackAcrossVaults(w, ['db-01', 'ne-crm-01'], 2);
    expect(postsByVault(w, 'unplannedFailover')).toEqual({ [DEFAULT_SCENARIO.vault]: 1 });
    expect(postsByVault(w, 'plannedFailover')).toEqual({ [SECOND_SCENARIO.vault]: 1 });
    expect(postsByVault(w, 'failoverCommit')).toEqual({ [DEFAULT_SCENARIO.vault]: 1, [SECOND_SCENARIO.vault]: 1 });
  });
});
