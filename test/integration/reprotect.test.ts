import { ACTION, CALLBACK, reprotectBlockId } from '../../src/bot/ids';
import type { Runtime } from '../../src/runtime';
import {
  blocksOf,
  chooseVms,
  commitAsApprover,
  findAction,
  INCIDENT_CHANNEL,
  openRequestModal,
  PEOPLE,
  reprotectWithDefaults,
  type SandboxWorld,
  startSandboxWorld,
  submitRequest,
  textOf,
  waitForCardText,
  waitForCommitPrompt,
} from '@failback/sandbox';
import { DEFAULT_SCENARIO, defaultVault, type EmulatorOptions, guidFrom, type VaultSeed } from '@failback/asr-emulator';
import type { JsonObject } from '@failback/slack-standin';
import { testRedisUrl, uniquePrefix } from '../support/redis';

jest.setTimeout(90_000);

let world: SandboxWorld;
let bot: Runtime;

async function start(env: Record<string, string> = {}, emulator: EmulatorOptions = {}) {
  world = await startSandboxWorld({ redisUrl: testRedisUrl(), prefix: uniquePrefix('rp'), env, emulator });
  bot = await world.startBot();
}

afterEach(async () => {
  await bot?.stop();
  await world?.stop();
});

/** Request → failover → commit for one VM; returns the card's ts. */
async function failBackAndCommit(vm: string): Promise<string> {
  const { view } = await openRequestModal(world);
  const shown = await chooseVms(world, view, [vm]);
  await submitRequest(world, shown, { vms: [vm] });
  const { card, prompt } = await waitForCommitPrompt(world);
  await commitAsApprover(world, prompt, card.ts);
  return card.ts;
}

const reprotectPosts = () => world.emulator.operationPosts('reprotect');

describe('reprotect to Azure after the commit', () => {
  it('retries through the agent window (two refusals) and ends with the VM protected, one reprotect in flight at a time', async () => {
    await start();
    world.emulator.faults.add({ kind: 'agent-not-registered', as: 'refuse', times: 2 });
    const cardTs = await failBackAndCommit('app-01');

    const { modal, reply } = await reprotectWithDefaults(world, cardTs);
    expect(textOf(modal)).toMatch(/Process server/);
    expect(textOf(modal)).toMatch(/unhealthy/);
    // The recorded input: process server (master target = the same), run-as account, the container mapping's policy.
    expect(textOf(modal)).toMatch(/Process server.*Run-as account.*Replication policy/);
    expect(textOf(modal)).toMatch(/azure-ps01 \(served the failback from Azure\)/);
    expect(textOf(modal)).not.toMatch(/Master target|Storage account/);
    expect(reply.responseAction).toBe('clear');

    await waitForCardText(world, cardTs, /waiting for the VM’s agent.*attempt 2/);
    const done = await waitForCardText(world, cardTs, /Done — protected to Azure again/, 40_000);
    expect(textOf(done)).toMatch(/protected to Azure again/);

    const posts = reprotectPosts();
    expect(posts.map((p) => p.status)).toEqual([400, 400, 202]);
    // The recorded body; the defaults: the configuration server's own process server (never the Azure-side
    // one that served the failback), the first run-as account, the policy mapped to the VM's container.
    const s = DEFAULT_SCENARIO;
    expect(posts[2]?.body).toEqual({
      properties: {
        failoverDirection: 'RecoveryToPrimary',
        providerSpecificDetails: {
          instanceType: 'InMageAzureV2',
          processServerId: s.processServer.default,
          masterTargetId: s.processServer.default,
          runAsAccountId: s.runAsAccount,
          policyId: expect.stringMatching(new RegExp(`/replicationPolicies/${s.policies.classicToAzure}$`)),
        },
      },
    });
    expect(world.emulator.item('app-01')?.provider).toBe('InMageAzureV2');

    const summary = await world.slack.waitFor((s) =>
      s.thread(INCIDENT_CHANNEL, cardTs).find((m) => /finished/.test(m.text)),
    );
    expect(textOf(summary)).toMatch(/Timeline/);
    expect(findAction(world.slack.message(INCIDENT_CHANNEL, cardTs)!.blocks, ACTION.reprotect)).toBeUndefined();
  });

  it('fails fast with ASR’s message on another error and offers Retry reprotect', async () => {
    await start({}, {});
    const cardTs = await failBackAndCommit('db-01');
    world.emulator.faults.add({
      kind: 'job-fails',
      operation: 'reprotect',
      message: 'The storage account is not reachable from the process server.',
    });
    await reprotectWithDefaults(world, cardTs);
    const failed = await waitForCardText(world, cardTs, /Reprotect failed/);
    expect(textOf(failed)).toContain('The storage account is not reachable from the process server.');
    expect(findAction(failed.blocks, ACTION.reprotect)).toBeDefined();
    expect(reprotectPosts()).toHaveLength(1);

    await reprotectWithDefaults(world, cardTs);
    await waitForCardText(world, cardTs, /Done — protected to Azure again/);
    expect(reprotectPosts()).toHaveLength(2);
  });

  it('stops with ASR’s message when the agent does not register within the window', async () => {
    await start({ REPROTECT_RETRY_WINDOW_MINUTES: '0.03', REPROTECT_RETRY_INTERVAL_SECONDS: '0.5' });
    world.emulator.faults.add({ kind: 'agent-not-registered', as: 'job', times: 100 });
    const cardTs = await failBackAndCommit('web-01');
    await reprotectWithDefaults(world, cardTs);
    const failed = await waitForCardText(world, cardTs, /Reprotect failed/, 40_000);
    expect(textOf(failed)).toMatch(/Mobility service/);
    expect(findAction(failed.blocks, ACTION.reprotect)).toBeDefined();
    const n = reprotectPosts().length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(6);
  });

  it('starts by itself with FAILBACK_AUTO_REPROTECT and the configured process server, and says so', async () => {
    await start({ FAILBACK_AUTO_REPROTECT: 'true', FAILBACK_DEFAULT_PROCESS_SERVER: 'avs-cs01' });
    const { view } = await openRequestModal(world);
    const shown = await chooseVms(world, view, ['db-01']);
    await submitRequest(world, shown, { vms: ['db-01'] });
    const { card, prompt } = await waitForCommitPrompt(world);
    await world.slack.clickButton({
      userId: PEOPLE.approver.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: prompt.ts,
      actionId: ACTION.commit,
    });
    const confirm = await world.slack.waitFor((s) => s.openViews(PEOPLE.approver.id)[0]);
    await world.slack.submitView({ userId: PEOPLE.approver.id, viewId: confirm.id });
    const done = await waitForCardText(world, card.ts, /Done — protected to Azure again/);
    expect(textOf(done)).toMatch(/autopilot/);
    expect(reprotectPosts()).toHaveLength(1);
    expect(reprotectPosts()[0]?.body).toMatchObject({
      properties: { providerSpecificDetails: { processServerId: DEFAULT_SCENARIO.processServer.default } },
    });
  });

  it('refuses Reprotect to someone who is no approver', async () => {
    await start();
    const cardTs = await failBackAndCommit('app-01');
    await world.slack.clickButton({
      userId: PEOPLE.bystander.id,
      channelId: INCIDENT_CHANNEL,
      messageTs: cardTs,
      actionId: ACTION.reprotect,
    });
    await world.slack.waitFor((s) => s.ephemerals({ user: PEOPLE.bystander.id }).length > 0);
    expect(world.slack.ephemerals({ user: PEOPLE.bystander.id })[0]?.text).toMatch(/only configured approvers/i);
    // The card is a top-level message (with a thread of its own): the refusal stays at the top level.
    expect(world.slack.ephemerals({ user: PEOPLE.bystander.id })[0]).toMatchObject({
      channel: INCIDENT_CHANNEL,
      via: 'response_url',
    });
    expect(world.slack.ephemerals({ user: PEOPLE.bystander.id })[0]?.threadTs).toBeUndefined();
    expect(world.slack.openViews(PEOPLE.bystander.id)).toHaveLength(0);
    expect(reprotectPosts()).toHaveLength(0);
  });
});

/** The default vault with `extra` more process servers on the classic fabric (`avs-ps-001`…; every tenth one unhealthy). */
function withProcessServers(extra: number): VaultSeed {
  const vault = defaultVault();
  const now = Date.now();
  return {
    ...vault,
    fabrics: vault.fabrics.map((f) => {
      if (f.name !== DEFAULT_SCENARIO.classicFabric) return f;
      const own = f.customDetails.processServers as readonly JsonObject[];
      const more = Array.from({ length: extra }, (_, i) => {
        const name = `avs-ps-${String(i + 1).padStart(3, '0')}`;
        const unhealthy = (i + 1) % 10 === 0;
        return {
          id: guidFrom(`ps/${name}`),
          friendlyName: name,
          ipAddress: `10.10.3.${i + 1}`,
          osType: 'Windows',
          health: unhealthy ? 'Critical' : 'Normal',
          lastHeartbeat: new Date(now - (unhealthy ? 3 * 3_600_000 : 60_000)).toISOString(),
          psServiceStatus: unhealthy ? 'Stopped' : 'Running',
        };
      });
      return { ...f, customDetails: { ...f.customDetails, processServers: [...own, ...more] } };
    }),
  };
}

const optionText = (o: JsonObject) => String((o.text as JsonObject).text);

describe('a fabric with more process servers than a static select may list', () => {
  it('searches them as the approver types and reprotects with the one chosen beyond the 100th', async () => {
    await start({}, { vault: withProcessServers(147) }); // 150 process servers on the classic fabric
    const cardTs = await failBackAndCommit('app-01');
    const approver = PEOPLE.approver.id;
    await world.slack.clickButton({
      userId: approver,
      channelId: INCIDENT_CHANNEL,
      messageTs: cardTs,
      actionId: ACTION.reprotect,
    });
    const modal = await world.slack.waitFor(
      (s) =>
        s.openViews(approver).find((v) => v.view.callback_id === CALLBACK.reprotect && v.view.submit !== undefined),
      { timeoutMs: 15_000, message: 'reprotect modal filled' },
    );
    const field = reprotectBlockId(0, 'processServerId');
    const select = findAction(blocksOf(modal), field);
    expect(select).toMatchObject({ type: 'external_select', min_query_length: 0 });
    expect(select?.options).toBeUndefined();
    // The default is pre-selected as in the static list: the configuration server's own process server.
    expect(optionText(select?.initial_option as JsonObject)).toMatch(/^avs-cs01 \(the configuration server’s own\)/);

    const suggest = (value: string) =>
      world.slack.suggestOptions({ userId: approver, viewId: modal.id, actionId: field, blockId: field, value });
    const everything = await suggest('');
    expect(everything.withinSlackTimeout).toBe(true);
    expect(everything.options).toHaveLength(100);
    const typed = await suggest('AVS-PS-14');
    expect(typed.withinSlackTimeout).toBe(true);
    expect(typed.options.map((o) => optionText(o).replace(/^⚠ /, '').split(' ')[0])).toEqual(
      ['140', '141', '142', '143', '144', '145', '146', '147'].map((n) => `avs-ps-${n}`),
    );
    expect(optionText(typed.options[0]!)).toMatch(/^⚠ avs-ps-140 · Critical .*\(unhealthy\)$/);
    const chosen = typed.options.find((o) => optionText(o).startsWith('avs-ps-145'))!;
    expect(String(chosen.value).length).toBeLessThanOrEqual(150);

    const reply = await world.slack.submitView({
      userId: approver,
      viewId: modal.id,
      values: { [field]: { [field]: { value: String(chosen.value), text: optionText(chosen) } } },
    });
    expect(reply.responseAction).toBe('clear');
    await waitForCardText(world, cardTs, /Done — protected to Azure again/);
    const posts = reprotectPosts();
    expect(posts).toHaveLength(1);
    // The option's key maps back to the full id of the 148th process server of the fabric.
    expect(posts[0]?.body).toMatchObject({
      properties: {
        providerSpecificDetails: {
          processServerId: guidFrom('ps/avs-ps-145'),
          masterTargetId: guidFrom('ps/avs-ps-145'),
        },
      },
    });
  });
});
