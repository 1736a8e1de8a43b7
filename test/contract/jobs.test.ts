/**
 * Recorded jobs, job lists, plans and operation statuses through the gateway: which of our
 * operations a job is, which VM it acted on (by GUID), when a job read is not an answer yet, when a
 * plan's scenario is over, and which job a 202 started.
 */
import { gatewayOn, itemId, leadingId, RecordedArm, recorded, VAULT_ID } from './recorded-arm';

const { classic, modernized, plans } = recorded;
type Row = Record<string, unknown>;

/** A recorded job body: the recordings list task names; ASR's tasks are objects. */
function jobBody(recordedJob: Row, state?: string): Row {
  const tasks = Array.isArray(recordedJob.tasks)
    ? (recordedJob.tasks as string[]).map((name) => ({ name, friendlyName: name, state: state ?? 'InProgress' }))
    : [];
  return { ...recordedJob, tasks, ...(state ? { state } : {}) };
}

describe('recorded jobs', () => {
  const cases: [string, Row, string, string | undefined][] = [
    [
      'classic failback (UnplannedFailover)',
      classic['3_failover_job'].properties,
      'failover',
      classic['1_item_ready_to_fail_back'].properties.providerSpecificDetails.vmId,
    ],
    [
      'classic commit (CommitFailover)',
      {
        ...classic['4_commit'].job,
        targetObjectId: classic['1_item_ready_to_fail_back'].properties.providerSpecificDetails.vmId,
      },
      'commit',
      classic['1_item_ready_to_fail_back'].properties.providerSpecificDetails.vmId,
    ],
    [
      'classic reprotect (SwitchReplicationGroupProtection)',
      {
        ...classic['6_reprotect_to_azure'].job,
        targetObjectId: classic['1_item_ready_to_fail_back'].properties.providerSpecificDetails.vmId,
      },
      'reprotect',
      classic['1_item_ready_to_fail_back'].properties.providerSpecificDetails.vmId,
    ],
    [
      'modernized failback (PlannedFailover)',
      modernized['3_failover_job'].properties,
      'failover',
      modernized['1_item_ready_to_fail_back'].properties.providerSpecificDetails.internalIdentifier,
    ],
    [
      'modernized reprotect after failback',
      {
        ...modernized['5_reprotect_after_failback'].job,
        targetObjectId: leadingId(modernized['5_reprotect_after_failback'].job.targetObjectId),
      },
      'reprotect',
      modernized['1_item_ready_to_fail_back'].properties.providerSpecificDetails.internalIdentifier,
    ],
  ];

  it.each(cases)('%s: the job list names the operation and the VM’s GUID', async (_what, job, op, target) => {
    const arm = new RecordedArm().listJobs([
      { name: 'job-1', properties: { ...job, tasks: [], state: 'Succeeded', startTime: '2021-04-06T10:00:00Z' } },
    ]);
    const [summary] = await gatewayOn(arm).recentJobs(new Date('2021-04-06T09:00:00Z'));
    expect(summary).toMatchObject({
      name: 'job-1',
      op,
      targetId: target?.toLowerCase(),
      targetIsPlan: false,
      known: true,
      state: 'succeeded',
    });
  });

  it('a modernized reprotect job names the VM by its InMageRcmFailback GUID (it changes only once the reprotect is done): followed', async () => {
    const ready = modernized['1_item_ready_to_fail_back'].properties;
    const failedBack = modernized['4_item_failed_back_not_committed'].properties;
    const reprotect = modernized['5_reprotect_after_failback'].job;
    const arm = new RecordedArm()
      .item('vm-rcm', {
        ...failedBack,
        protectionState: 'PlannedFailoverCommitted',
        allowedOperations: [],
        currentScenario: {
          scenarioName: 'SwitchReplicationGroupProtection',
          jobId: `${VAULT_ID}/replicationJobs/job-rp`,
        },
        providerSpecificDetails: {
          ...failedBack.providerSpecificDetails,
          internalIdentifier: ready.providerSpecificDetails.internalIdentifier,
        },
      })
      .job('job-rp', {
        ...reprotect,
        targetObjectId: leadingId(reprotect.targetObjectId),
        state: 'InProgress',
        tasks: [],
      });
    expect(await gatewayOn(arm).operationState(itemId('vm-rcm'), 'reprotect')).toEqual({
      state: 'running',
      jobName: 'job-rp',
    });
  });

  it('a job that is none of ours (DisableDr) names no operation', async () => {
    const arm = new RecordedArm().listJobs([{ name: 'job-2', properties: plans.job_list_filter.list_item }]);
    const [summary] = await gatewayOn(arm).recentJobs(new Date('2021-04-04T05:28:32.133Z'));
    expect(summary?.op).toBeUndefined();
  });

  it('lists jobs with Azure PowerShell’s filter: StartTime, 7 fractional digits', async () => {
    const arm = new RecordedArm().listJobs([]);
    await gatewayOn(arm).recentJobs(new Date('2021-04-04T05:28:32.133Z'));
    const list = arm.sent.find((r) => r.path.endsWith('/replicationJobs'));
    expect(list?.path).toBe(`${VAULT_ID}/replicationJobs`);
    expect(list?.query.get('$filter')).toBe("StartTime eq '2021-04-04T05:28:32.1330000Z'");
  });
});

describe('a job read right after its POST (recorded blank: no scenario, no target, NotStarted)', () => {
  const blank = classic['4_commit'].first_job_read;

  it('is not an answer: pending, not running, succeeded or failed', async () => {
    const arm = new RecordedArm().job('job-blank', { ...blank, tasks: [] });
    const view = await gatewayOn(arm).getJob('job-blank');
    expect(view.state).toBe('pending');
  });

  it('is listed as not known yet, and never taken for a job of our operations', async () => {
    const arm = new RecordedArm().listJobs([{ name: 'job-blank', properties: { ...blank, tasks: [] } }]);
    const [summary] = await gatewayOn(arm).recentJobs(new Date(0));
    expect(summary).toMatchObject({ known: false, op: undefined, targetId: undefined });
  });

  it('on the item, makes the failover wait (busy) instead of being followed or issued again', async () => {
    const ready = classic['1_item_ready_to_fail_back'].properties;
    const arm = new RecordedArm()
      .item('vm-recorded', {
        ...ready,
        allowedOperations: [],
        currentScenario: { scenarioName: 'UnplannedFailover', jobId: `${VAULT_ID}/replicationJobs/job-blank` },
      })
      .job('job-blank', { ...blank, tasks: [] });
    const state = await gatewayOn(arm).operationState(itemId('vm-recorded'), 'failover');
    expect(state).toMatchObject({ state: 'busy', jobName: 'job-blank' });
  });
});

describe('a running job on the item (which scenarioName an item shows meanwhile is not recorded)', () => {
  const ready = classic['1_item_ready_to_fail_back'].properties;
  const running = (scenarioName: string) => ({
    ...ready,
    allowedOperations: [],
    currentScenario: { scenarioName, jobId: `${VAULT_ID}/replicationJobs/job-ufo` },
  });

  it.each(['UnplannedFailover', 'SomethingNeverRecorded'])(
    'is followed when the job itself is this failover on this VM (item says %s)',
    async (scenario) => {
      const arm = new RecordedArm()
        .item('vm-recorded', running(scenario))
        .job('job-ufo', jobBody(classic['3_failover_job'].properties));
      expect(await gatewayOn(arm).operationState(itemId('vm-recorded'), 'failover')).toEqual({
        state: 'running',
        jobName: 'job-ufo',
      });
    },
  );

  it('is waited out, never followed, when the job is another operation', async () => {
    const arm = new RecordedArm()
      .item('vm-recorded', running('UnplannedFailover'))
      .job('job-ufo', jobBody(classic['3_failover_job'].properties));
    expect(await gatewayOn(arm).operationState(itemId('vm-recorded'), 'commit')).toMatchObject({
      state: 'busy',
      jobName: 'job-ufo',
    });
  });

  it('is waited out when the job acts on another VM (its GUID differs)', async () => {
    const other = { ...classic['3_failover_job'].properties, targetObjectId: '00000000-0000-0000-0000-00000000beef' };
    const arm = new RecordedArm().item('vm-recorded', running('UnplannedFailover')).job('job-ufo', jobBody(other));
    expect((await gatewayOn(arm).operationState(itemId('vm-recorded'), 'failover')).state).toBe('busy');
  });
});

describe('recorded recovery plans', () => {
  it('a plan keeps its last scenario after the job ended (Succeeded/Completed): nothing runs on it', async () => {
    const arm = new RecordedArm().plan('rpTest1', {
      friendlyName: 'rpTest1',
      replicationProviders: ['InMage'],
      groups: [],
      ...plans.plan_keeps_its_last_scenario_after_the_job_ended.plan_after,
    });
    const state = await gatewayOn(arm).planOperationState(`${VAULT_ID}/replicationRecoveryPlans/rpTest1`, 'commit');
    expect(state).toEqual({ state: 'ready' });
    // The plan GET was the only read: its ended job was not mistaken for a running one.
    expect(arm.sent.filter((r) => r.path.includes('/replicationJobs/'))).toEqual([]);
  });

  it('a fresh plan (no scenario, no status) runs nothing', async () => {
    const fresh = plans.plan_keeps_its_last_scenario_after_the_job_ended.fresh_plan;
    const arm = new RecordedArm().plan('rpFresh', { friendlyName: 'rpFresh', groups: [], ...fresh });
    const state = await gatewayOn(arm).planOperationState(`${VAULT_ID}/replicationRecoveryPlans/rpFresh`, 'failover');
    expect(state.state).not.toBe('running');
    expect(state.state).not.toBe('busy');
  });
});

describe('the job a 202 started', () => {
  it('is the name in the operation status body when it differs from the id in the URLs (recorded for a plan)', async () => {
    const status = plans.operation_status;
    const arm = new RecordedArm().plan('rpTest1', {
      friendlyName: 'rpTest1',
      replicationProviders: ['InMage'],
      allowedOperations: ['Commit'],
      groups: [],
    });
    arm.operationId = '1e099834-0000-0000-0000-000000000000';
    arm.statusJobName = status.answer.name;
    const { jobName } = await gatewayOn(arm).startPlanOperation(
      `${VAULT_ID}/replicationRecoveryPlans/rpTest1`,
      'commit',
      {},
    );
    expect(jobName).toBe(status.answer.name);
    expect(jobName).not.toBe(arm.operationId);
  });

  it('is the id in the URLs for an item operation, where the two were equal (recorded)', async () => {
    const arm = new RecordedArm().item('V2A-W2K16-201-new', classic['1_item_ready_to_fail_back'].properties);
    const { jobName } = await gatewayOn(arm).startOperation(itemId('V2A-W2K16-201-new'), 'commit', {});
    expect(jobName).toBe(arm.operationId);
  });
});
