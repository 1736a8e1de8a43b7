import { isAgentNotRegistered } from '../../src/domain/agent-registration';
import { choicesPerVm, missingChoices, type ReprotectForm } from '../../src/domain/reprotect-form';
import { phaseOf, type Run } from '../../src/domain/run';
import { decide, type RunEvent } from '../../src/domain/run-machine';
import { strategyFor } from '../../src/azure/providers';
import { aRun, T0, vmInRun } from './fixtures';

describe('agent-not-registered matcher', () => {
  it.each([
    "The Mobility service (agent) is not installed or not registered with the configuration server on the virtual machine 'app-01'. Wait about 15 minutes and retry.",
    "The Mobility service (agent) on the virtual machine 'crm-01' is not registered with the replication appliance after the failover.",
    'Protection could not be enabled: the agent is not installed on the source machine.',
    'The Mobility agent has not yet registered with the configuration server.',
    'Mobility service not reachable on the VM.',
  ])('recognises %s', (message) => {
    expect(isAgentNotRegistered({ message })).toBe(true);
  });

  it.each([
    'The storage account is not reachable from the process server.',
    'The process server is not registered with the configuration server.',
    'Operation not allowed in the current state.',
    '',
  ])('does not mistake %s for it', (message) => {
    expect(isAgentNotRegistered({ message, code: 'InvalidOperation' })).toBe(false);
  });
});

describe('reprotect input builders', () => {
  const item = (instanceType: string, extra: Record<string, unknown> = {}, activeLocation = 'Recovery') =>
    ({
      properties: { activeLocation, friendlyName: 'app-01', providerSpecificDetails: { instanceType, ...extra } },
    }) as never;
  const policies = [
    {
      id: 'pol-azure-legacy',
      properties: { friendlyName: 'to-azure-legacy', providerSpecificDetails: { instanceType: 'InMageAzureV2' } },
    },
    {
      id: 'pol-azure',
      properties: { friendlyName: 'to-azure', providerSpecificDetails: { instanceType: 'InMageAzureV2' } },
    },
    { id: 'pol-back', properties: { friendlyName: 'to-avs', providerSpecificDetails: { instanceType: 'InMage' } } },
  ] as never;

  it('builds the classic InMageAzureV2 input as recorded: from the active side (Recovery → RecoveryToPrimary), master target = process server', () => {
    const body = strategyFor(item('InMage'))?.reprotectRequest(item('InMage'), {
      processServerId: 'ps',
      policyId: 'pol',
      runAsAccountId: '1',
    });
    expect(body).toEqual({
      properties: {
        failoverDirection: 'RecoveryToPrimary',
        providerSpecificDetails: {
          instanceType: 'InMageAzureV2',
          masterTargetId: 'ps',
          processServerId: 'ps',
          runAsAccountId: '1',
          policyId: 'pol',
        },
      },
    });
  });

  it('builds the modernized InMageRcmFailback input with no direction and the site’s run-as account', () => {
    const body = strategyFor(item('InMageRcmFailback'))?.reprotectRequest(item('InMageRcmFailback'), {
      processServerId: 'ps',
      policyId: 'pol',
      runAsAccountId: '/sites/s/runasaccounts/a',
    });
    expect(body).toEqual({
      properties: {
        providerSpecificDetails: {
          instanceType: 'InMageRcmFailback',
          processServerId: 'ps',
          runAsAccountId: '/sites/s/runasaccounts/a',
          policyId: 'pol',
        },
      },
    });
  });

  it('offers the fabric’s process servers: never the unhealthy one, never the Azure one that served the failback; the configuration server’s own first', () => {
    const it = item('InMage', { processServerId: 'ps-azure' });
    const fields = strategyFor(it)!.reprotectFields(it, {
      fabric: {
        ipAddress: '10.10.1.4',
        processServers: [
          { id: 'ps-bad', friendlyName: 'avs-ps02', ipAddress: '10.10.1.5', health: 'Critical', lastHeartbeat: T0 },
          { id: 'ps-azure', friendlyName: 'azure-ps01', ipAddress: '10.20.0.4', health: 'Normal', lastHeartbeat: T0 },
          { id: 'ps-cs', friendlyName: 'avs-cs01', ipAddress: '10.10.1.4', health: 'Normal', lastHeartbeat: T0 },
        ],
        runAsAccounts: [{ accountId: '1', accountName: 'vcenter' }],
      },
      policies,
      mappedPolicyIds: new Set(['pol-azure']),
    });
    const ps = fields.find((f) => f.id === 'processServerId')!;
    expect(ps.options.map((o) => [o.value, o.unhealthy, o.note])).toEqual([
      ['ps-bad', true, undefined],
      ['ps-azure', false, 'served the failback from Azure'],
      ['ps-cs', false, 'the configuration server’s own'],
    ]);
    expect(ps.initial).toBe('ps-cs');
    expect(fields.map((f) => f.id)).toEqual(['processServerId', 'runAsAccountId', 'policyId']);
    // The policy of the container's mapping, not the first InMageAzureV2 policy of the vault.
    const policy = fields.find((f) => f.id === 'policyId')!;
    expect(policy.options.map((o) => o.value)).toEqual(['pol-azure']);
    expect(policy.initial).toBe('pol-azure');
    expect(fields.find((f) => f.id === 'runAsAccountId')).toMatchObject({ optional: false, initial: '1' });
  });

  it('never picks the Azure-side process server, even when it is the only healthy one left', () => {
    const it = item('InMage', { processServerId: 'ps-azure' });
    const fields = strategyFor(it)!.reprotectFields(it, {
      fabric: { processServers: [{ id: 'ps-azure', friendlyName: 'azure-ps01', health: 'Normal' }] },
      policies,
      mappedPolicyIds: new Set(),
    });
    expect(fields.find((f) => f.id === 'processServerId')?.initial).toBeUndefined();
    // No mapping found and several policies: the person chooses.
    expect(fields.find((f) => f.id === 'policyId')).toMatchObject({
      initial: undefined,
      options: [{ value: 'pol-azure-legacy' }, { value: 'pol-azure' }],
    });
  });

  it('defaults the modernized policy to the item’s last used one and the run-as account to a guest account of the VM’s OS', () => {
    const it = item('InMageRcmFailback', { lastUsedPolicyId: 'pol-2', osType: 'Linux' });
    const fields = strategyFor(it)!.reprotectFields(it, {
      fabric: { processServers: [] },
      policies: [
        { id: 'pol-1', properties: { providerSpecificDetails: { instanceType: 'InMageRcm' } } },
        { id: 'pol-2', properties: { providerSpecificDetails: { instanceType: 'InMageRcm' } } },
        { id: 'pol-3', properties: { providerSpecificDetails: { instanceType: 'InMageRcmFailback' } } },
      ] as never,
      mappedPolicyIds: new Set(),
      siteRunAsAccounts: [
        { id: '/s/runasaccounts/v', displayName: 'vcenter', credentialType: 'VMwareFabric' },
        { id: '/s/runasaccounts/l', displayName: 'linux', credentialType: 'LinuxGuest' },
      ],
    });
    const policy = fields.find((f) => f.id === 'policyId')!;
    expect(policy.initial).toBe('pol-2');
    expect(policy.options.map((o) => o.value)).toEqual(['pol-1', 'pol-2']);
    expect(fields.find((f) => f.id === 'runAsAccountId')).toMatchObject({
      optional: false,
      initial: '/s/runasaccounts/l',
    });
  });
});

describe('reprotect form choices', () => {
  const form: ReprotectForm = {
    groups: [
      {
        key: 'cs',
        title: 'Configuration server cs',
        vmIds: ['a', 'b'],
        vmNames: ['a', 'b'],
        fields: [{ id: 'processServerId', label: 'Process server', optional: false, options: [] }],
      },
      {
        key: 'rcm',
        title: 'Replication appliance x',
        vmIds: ['c'],
        vmNames: ['c'],
        fields: [{ id: 'runAsAccountId', label: 'Run-as', optional: true, options: [] }],
      },
    ],
  };
  it('gives every VM its fabric’s choices', () => {
    expect(choicesPerVm(form, { cs: { processServerId: 'ps' } })).toEqual({
      a: { processServerId: 'ps' },
      b: { processServerId: 'ps' },
      c: {},
    });
  });
  it('names required fields left empty', () => {
    expect(missingChoices(form, {})).toEqual(['Process server (Configuration server cs)']);
  });
});

describe('reprotect in the run state machine', () => {
  const vm = '/items/app-01';
  const committed: Run = aRun({
    vms: [vmInRun('app-01', { failover: { status: 'succeeded' }, commit: { status: 'succeeded' } })],
    commit: { approvedBy: 'UAPP', approvedAt: T0 },
  });
  const play = (run: Run, ...events: RunEvent[]) =>
    events.reduce((r, e) => {
      const d = decide(r, e);
      if (!d.accepted) throw new Error(d.reason);
      return d.run;
    }, run);
  const requested: RunEvent = {
    type: 'reprotect-requested',
    by: 'UAPP',
    at: T0,
    windowMs: 60_000,
    choices: { [vm]: { processServerId: 'ps' } },
  };
  const agentFailure = (at: string): RunEvent => ({
    type: 'op-failed',
    vmId: vm,
    op: 'reprotect',
    at,
    error: 'agent not registered',
    retry: { intervalMs: 20_000, waitingFor: 'the agent' },
  });

  it('waits for reprotect after the commit, then reprotects with a step job', () => {
    expect(phaseOf(committed)).toBe('awaiting-reprotect');
    const d = decide(committed, requested);
    if (!d.accepted) throw new Error(d.reason);
    expect(phaseOf(d.run)).toBe('reprotecting');
    expect(d.effects).toContainEqual({ kind: 'run-step', step: 'reprotect', jobKey: 'r1' });
  });

  it('schedules the next attempt on an agent failure inside the window', () => {
    const d = decide(play(committed, requested), agentFailure('2026-11-28T10:00:10.000Z'));
    if (!d.accepted) throw new Error(d.reason);
    expect(d.run.vms[0]?.reprotect).toMatchObject({
      status: 'waiting',
      attempt: 2,
      nextAttemptAt: '2026-11-28T10:00:30.000Z',
    });
    expect(d.effects).toContainEqual({
      kind: 'run-step',
      step: 'reprotect',
      notBefore: '2026-11-28T10:00:30.000Z',
      jobKey: 'r1-a2',
    });
  });

  it('remembers since when it waits for the agent across attempts', () => {
    const first = '2026-11-28T10:00:10.000Z';
    const waiting = play(
      committed,
      requested,
      agentFailure(first),
      { type: 'op-issuing', vmId: vm, op: 'reprotect', at: '2026-11-28T10:00:30.000Z' },
      agentFailure('2026-11-28T10:00:31.000Z'),
    );
    expect(waiting.vms[0]?.reprotect).toMatchObject({
      status: 'waiting',
      attempt: 3,
      waitingFor: 'the agent',
      waitingSince: first,
    });
  });

  it('fails with ASR’s message once the window is over, and can be retried', () => {
    const failed = play(committed, requested, agentFailure('2026-11-28T10:00:50.000Z'));
    expect(failed.vms[0]?.reprotect).toMatchObject({ status: 'failed', error: 'agent not registered' });
    expect(phaseOf(failed)).toBe('reprotect-failed');
    const again = decide(failed, { ...requested, at: '2026-11-28T11:00:00.000Z' });
    if (!again.accepted) throw new Error(again.reason);
    expect(again.run.reprotect?.round).toBe(2);
    expect(again.run.vms[0]?.reprotect?.status).toBe('pending');
  });

  it('refuses a second reprotect while one runs', () => {
    expect(decide(play(committed, requested), requested)).toEqual({
      accepted: false,
      reason: 'the reprotect has already been started',
    });
  });

  it('closes the run when every VM is protected again', () => {
    const done = play(
      committed,
      requested,
      { type: 'op-started', vmId: vm, op: 'reprotect', jobName: 'j', at: T0 },
      { type: 'op-succeeded', vmId: vm, op: 'reprotect', at: T0 },
    );
    expect(phaseOf(done)).toBe('done');
    expect(done.closedAt).toBe(T0);
  });
});
