/**
 * Every recorded item state, read by the gateway through the real SDK: whether the VM can fail
 * back, and what the item says about each of our operations. One row per recorded state.
 */
import type { OperationState } from '../../src/azure/gateway';
import type { OpKind } from '../../src/domain/run';
import { gatewayOn, itemId, RecordedArm, recorded } from './recorded-arm';

type Row = Record<string, unknown>;
const { classic, modernized, plans } = recorded;
const props = (x: { properties: Row }) => x.properties;

interface Expect {
  readonly failsBack: boolean;
  readonly failover: OperationState['state'];
  readonly commit: OperationState['state'];
  readonly reprotect: OperationState['state'];
}

const STATES: readonly [string, Row, Expect][] = [
  [
    'classic, reprotected to AVS: ready to fail back (V2ATestFailback)',
    props(classic['1_item_ready_to_fail_back']),
    { failsBack: true, failover: 'ready', commit: 'blocked', reprotect: 'blocked' },
  ],
  [
    'classic, failed back and committed (V2ATestReprotect)',
    props(classic['5_item_after_failback_and_commit']),
    { failsBack: false, failover: 'done', commit: 'done', reprotect: 'ready' },
  ],
  [
    'classic, failed over to Azure and committed, before its reprotect to VMware (2017)',
    classic.for_contrast_reprotect_azure_to_vmware_2017.item_before,
    { failsBack: false, failover: 'blocked', commit: 'blocked', reprotect: 'blocked' },
  ],
  [
    'modernized, ready to fail back (TestV2ARCMFailback)',
    props(modernized['1_item_ready_to_fail_back']),
    { failsBack: true, failover: 'ready', commit: 'blocked', reprotect: 'blocked' },
  ],
  [
    'modernized, failed back, not committed, SwitchProtection listed (TestV2ARCMCancelFailover)',
    props(modernized['4_item_failed_back_not_committed']),
    { failsBack: false, failover: 'done', commit: 'ready', reprotect: 'blocked' },
  ],
  [
    'modernized, failed over to Azure and committed, before its reprotect to VMware',
    modernized.for_contrast_reprotect_azure_to_vmware.item_before,
    { failsBack: false, failover: 'blocked', commit: 'blocked', reprotect: 'blocked' },
  ],
];

describe.each(STATES)('the recorded state: %s', (_label, properties, expected) => {
  const arm = new RecordedArm().item('vm-recorded', { friendlyName: 'vm-recorded', ...properties });
  const gateway = gatewayOn(arm);

  it(`says the VM ${expected.failsBack ? 'can' : 'cannot'} fail back`, async () => {
    const vm = await gateway.getVm(itemId('vm-recorded'));
    expect(vm.failback.ready).toBe(expected.failsBack);
    if (!vm.failback.ready) expect(vm.failback.reason).toMatch(/\w/);
    expect(vm.runningOperation).toBeUndefined();
  });

  it.each(['failover', 'commit', 'reprotect'] as OpKind[])('reads the %s as ASR means it', async (op) => {
    const state = await gateway.operationState(itemId('vm-recorded'), op);
    expect(state.state).toBe(expected[op]);
  });
});

describe('the GUIDs ASR names a VM by in its jobs', () => {
  it.each([
    [
      'classic: the provider details’ vmId',
      props(classic['1_item_ready_to_fail_back']),
      classic['3_failover_job'].properties.targetObjectId,
    ],
    [
      'modernized: the provider details’ internalIdentifier',
      props(modernized['1_item_ready_to_fail_back']),
      modernized['3_failover_job'].properties.targetObjectId,
    ],
  ])('%s', async (_what, properties, jobTarget) => {
    const gateway = gatewayOn(new RecordedArm().item('vm-recorded', properties));
    const vm = await gateway.getVm(itemId('vm-recorded'));
    expect(vm.jobTargetIds).toEqual([jobTarget.toLowerCase()]);
    // Never the item's ARM name.
    expect(vm.jobTargetIds).not.toContain('vm-recorded');
  });
});

describe('an item whose job has ended', () => {
  it('shows no running operation (currentScenario None, …/replicationJobs/None)', async () => {
    const ended = plans.item_after_its_job_ended.currentScenario;
    const gateway = gatewayOn(
      new RecordedArm().item('vm-recorded', { ...props(classic['1_item_ready_to_fail_back']), currentScenario: ended }),
    );
    const vm = await gateway.getVm(itemId('vm-recorded'));
    expect(vm.runningOperation).toBeUndefined();
    expect((await gateway.operationState(itemId('vm-recorded'), 'failover')).state).toBe('ready');
  });
});
