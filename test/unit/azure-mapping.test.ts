import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import { defaultRetryPolicy } from '@azure/core-rest-pipeline';
import type { Job } from '@azure/arm-recoveryservices-siterecovery';
import { jobNameFromUrl, parseItemId } from '../../src/azure/arm-ids';
import { mapOperationError, mapReadError } from '../../src/azure/asr-errors';
import { summarizeJob } from '../../src/azure/jobs';
import { armScope, powershellTime } from '../../src/azure/sdk-gateway';
import { PointSummary } from '../../src/azure/point-summary';
import { noRepeatPostPolicy } from '../../src/azure/no-repeat-post-policy';
import { planStrategyFor, strategyFor } from '../../src/azure/providers';
import { AsrOutcomeUnknownError, AsrRefusedError, AsrTransientError } from '../../src/errors';

const ITEM =
  '/Subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/replicationFabrics/vmware-cs/replicationProtectionContainers/cloud_1/replicationProtectedItems/app-01';

describe('ARM ids', () => {
  it('reads fabric, container and item from an item id', () => {
    expect(parseItemId(ITEM)).toEqual({ fabric: 'vmware-cs', container: 'cloud_1', item: 'app-01' });
  });
  it.each([
    ['https://arm/subscriptions/s/x/replicationOperationStatus/job-9?api-version=1', 'job-9'],
    ['https://arm/subscriptions/s/x/operationresults/job-9?api-version=1', 'job-9'],
    ['/Subscriptions/s/x/replicationJobs/job-9', 'job-9'],
    ['/Subscriptions/s/x/replicationJobs/None', undefined],
  ])('finds the ASR job name in %s', (url, name) => {
    expect(jobNameFromUrl(url)).toBe(name);
  });
});

describe('provider strategies', () => {
  const item = (instanceType: string, activeLocation?: string) =>
    ({
      properties: { ...(activeLocation ? { activeLocation } : {}), providerSpecificDetails: { instanceType } },
    }) as never;

  it('fails classic items back from the side they are active on (Primary after the reprotect to AVS), ASR shutting the Azure VM down', () => {
    const req = strategyFor(item('InMage'))?.failoverRequest(item('InMage', 'Primary'), { kind: 'latest' });
    expect(req).toEqual({
      method: 'unplannedFailover',
      body: {
        properties: {
          failoverDirection: 'PrimaryToRecovery',
          sourceSiteOperations: 'Required',
          providerSpecificDetails: { instanceType: 'InMage', recoveryPointType: 'LatestTime' },
        },
      },
    });
    expect(
      strategyFor(item('InMage'))?.failoverRequest(item('InMage', 'Recovery'), { kind: 'latest' }).body.properties
        ?.failoverDirection,
    ).toBe('RecoveryToPrimary');
  });

  it('refuses to guess a classic direction when ASR does not say where the item is active', () => {
    expect(() => strategyFor(item('InMage'))?.failoverRequest(item('InMage'), { kind: 'latest' })).toThrow(
      /activeLocation/,
    );
  });

  it.each([
    [{ kind: 'latest-app-consistent' } as const, { instanceType: 'InMage', recoveryPointType: 'LatestTag' }],
    [
      { kind: 'specific', recoveryPointId: '/rp/1', time: 't' } as const,
      { instanceType: 'InMage', recoveryPointType: 'Custom', recoveryPointId: '/rp/1' },
    ],
  ])('maps the classic recovery-point choice %j', (choice, details) => {
    const req = strategyFor(item('InMage'))?.failoverRequest(item('InMage', 'Primary'), choice);
    expect(req?.body.properties?.providerSpecificDetails).toEqual(details);
  });

  it('fails modernized items back by planned failover, with no direction', () => {
    const req = strategyFor(item('InMageRcmFailback'))?.failoverRequest(item('InMageRcmFailback', 'Primary'), {
      kind: 'latest-app-consistent',
    });
    expect(req?.method).toBe('plannedFailover');
    expect(req?.body).toEqual({
      properties: {
        providerSpecificDetails: { instanceType: 'InMageRcmFailback', recoveryPointType: 'ApplicationConsistent' },
      },
    });
  });

  it.each([
    ['InMage', 'unplannedFailover', { instanceType: 'InMage', recoveryPointType: 'LatestTag' }],
    [
      'InMageRcmFailback',
      'plannedFailover',
      { instanceType: 'InMageRcmFailback', recoveryPointType: 'ApplicationConsistent' },
    ],
  ])('fails a %s recovery plan back with one %s and a list of provider inputs', (provider, method, details) => {
    const { strategy } = planStrategyFor({ properties: { replicationProviders: [provider] } }) as {
      strategy: NonNullable<ReturnType<typeof strategyFor>>;
    };
    const req = strategy.planFailoverRequest({ kind: 'latest-app-consistent' });
    expect(req.method).toBe(method);
    expect(req.body.properties.failoverDirection).toBe('RecoveryToPrimary');
    expect(req.body.properties.providerSpecificDetails).toEqual([details]);
  });

  it('refuses a plan that replicates to Azure, or mixes providers', () => {
    expect(planStrategyFor({ properties: { replicationProviders: ['InMageAzureV2'] } })).toEqual({
      reason: expect.stringMatching(/reprotect its VMs to AVS first/),
    });
    expect(planStrategyFor({ properties: { replicationProviders: ['InMage', 'InMageRcmFailback'] } })).toHaveProperty(
      'reason',
    );
  });

  it('has no strategy for items that replicate to Azure', () => {
    expect(strategyFor(item('InMageAzureV2'))).toBeUndefined();
  });
});

describe('ASR job summary', () => {
  const job = (
    state: string,
    tasks: { name: string; friendlyName: string; state: string }[],
    errors: Job['properties'] = {},
  ): Job =>
    ({ properties: { scenarioName: 'UnplannedFailover', targetObjectId: 'vm-guid', state, tasks, ...errors } }) as Job;
  const tasks = [
    { name: 'PreFailoverCheck', friendlyName: 'Prerequisites check', state: 'Succeeded' },
    { name: 'ShutdownVmTask', friendlyName: 'Shut down the virtual machine in Azure', state: 'Succeeded' },
    { name: 'StartVm', friendlyName: 'Start the virtual machine', state: 'InProgress' },
  ];

  it('reports the current task and progress of a running job', () => {
    expect(summarizeJob('j', job('InProgress', tasks))).toEqual({
      name: 'j',
      state: 'running',
      progress: { task: 'Start the virtual machine', done: 2, total: 3 },
      shutdown: 'succeeded',
    });
  });

  it('reports a failed shutdown task even when the job succeeded', () => {
    const t = tasks.map((x) =>
      x.name === 'ShutdownVmTask' ? { ...x, state: 'Failed' } : { ...x, state: 'Succeeded' },
    );
    expect(summarizeJob('j', job('Succeeded', t))).toMatchObject({ state: 'succeeded', shutdown: 'failed' });
  });

  it('reports each VM of a plan job from the child tasks of the plan’s groups', () => {
    const child = (friendlyName: string, state: string, errors: unknown[] = []) => ({
      name: 'T',
      friendlyName,
      state,
      errors,
    });
    const plan = {
      properties: {
        scenarioName: 'UnplannedFailover',
        targetObjectId: 'plan-guid',
        state: 'InProgress',
        tasks: [
          { name: 'Prereq', friendlyName: 'Prerequisites check', state: 'Succeeded' },
          {
            name: 'GroupTask',
            friendlyName: 'Group: Shutdown',
            state: 'Succeeded',
            groupTaskCustomDetails: {
              instanceType: 'RecoveryPlanShutdownGroupTaskDetails',
              childTasks: [
                child('Shut down the virtual machine in Azure: app-01', 'Succeeded'),
                child('Shut down the virtual machine in Azure: app-010', 'Failed'),
              ],
            },
          },
          {
            name: 'GroupTask',
            friendlyName: 'Group 1: Start',
            state: 'InProgress',
            groupTaskCustomDetails: {
              instanceType: 'RecoveryPlanGroupTaskDetails',
              childTasks: [
                child('Start the virtual machine: app-01', 'InProgress'),
                child('Start the virtual machine: app-010', 'NotStarted'),
              ],
            },
          },
        ],
      },
    } as unknown as Job;
    const view = summarizeJob('pj', plan, [
      { id: '/i/app-01', name: 'app-01' },
      { id: '/i/app-010', name: 'app-010' },
    ]);
    expect(view.progress).toEqual({ task: 'Group 1: Start · Start the virtual machine: app-01', done: 3, total: 5 });
    // "app-01" does not match app-010's tasks.
    expect(view.members?.['/i/app-01']).toEqual({
      progress: { task: 'Group 1: Start · Start the virtual machine', done: 1, total: 2 },
      shutdown: 'succeeded',
    });
    expect(view.members?.['/i/app-010']).toMatchObject({ progress: { done: 1, total: 2 }, shutdown: 'failed' });
  });

  it('reads a job ASR has not filled in yet (recorded right after a POST) as pending, not as running', () => {
    const blank = {
      properties: { scenarioName: null, friendlyName: null, state: 'NotStarted', targetObjectId: null, tasks: [] },
    } as unknown as Job;
    expect(summarizeJob('j', blank).state).toBe('pending');
  });

  it('reads a suspended job as waiting for a person, neither failed nor done', () => {
    const view = summarizeJob(
      'j',
      job(
        'Suspended',
        tasks.map((t) => (t.state === 'InProgress' ? { ...t, state: 'Suspended' } : t)),
      ),
    );
    expect(view.state).toBe('suspended');
    expect(view.progress.task).toMatch(/resume the job in the Azure portal/);
  });

  it("carries ASR's own error message for a failed job", () => {
    const failed = job('Failed', tasks, {
      errors: [{ serviceErrorDetails: { code: '539', message: 'The VM could not be started on the AVS host.' } }],
    });
    expect(summarizeJob('j', failed)).toMatchObject({
      state: 'failed',
      error: 'The VM could not be started on the AVS host. (539)',
    });
  });
});

describe('error mapping', () => {
  const rest = (status: number | undefined, code = 'X', headers: Record<string, string> = {}) =>
    new RestError('ASR says no', {
      statusCode: status,
      code,
      response: status
        ? { status, headers: createHttpHeaders(headers), request: createPipelineRequest({ url: 'https://x' }) }
        : undefined,
    });

  it('keeps ASR’s message when an operation is refused', () => {
    const e = mapOperationError(rest(400, 'InvalidOperation'));
    expect(e).toBeInstanceOf(AsrRefusedError);
    expect((e as AsrRefusedError).userMessage).toContain('ASR says no');
  });
  it('treats a throttled operation as not accepted and honours Retry-After', () => {
    const e = mapOperationError(rest(429, 'X', { 'retry-after': '7' }));
    expect(e).toBeInstanceOf(AsrTransientError);
    expect((e as AsrTransientError).retryAfterMs).toBe(7000);
  });
  it.each([[500], [503], [undefined]])('treats %s on an operation as an unknown outcome', (status) => {
    expect(mapOperationError(rest(status))).toBeInstanceOf(AsrOutcomeUnknownError);
  });
  it('treats a failing read as transient and a 404 as refused', () => {
    expect(mapReadError(rest(503))).toBeInstanceOf(AsrTransientError);
    expect(mapReadError(rest(404))).toBeInstanceOf(AsrRefusedError);
  });
});

describe('no-repeat POST policy', () => {
  function pipelineAnswering(statuses: (number | 'reset')[]) {
    const sent: string[] = [];
    const client: HttpClient = {
      async sendRequest(request) {
        sent.push(request.method);
        const next = statuses.shift() ?? 200;
        if (next === 'reset') throw new RestError('socket hang up', { code: 'ECONNRESET', request });
        return { status: next, headers: createHttpHeaders(next === 429 ? { 'retry-after': '0' } : {}), request };
      },
    };
    const pipeline = createEmptyPipeline();
    pipeline.addPolicy(defaultRetryPolicy({ maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 }), {
      phase: 'Retry',
    });
    pipeline.addPolicy(noRepeatPostPolicy(), { afterPhase: 'Retry' });
    return {
      sent,
      send: (method: 'GET' | 'POST') =>
        pipeline.sendRequest(client, createPipelineRequest({ url: 'https://arm/x', method })),
    };
  }

  it('sends a POST whose connection dropped only once', async () => {
    const p = pipelineAnswering(['reset', 200]);
    await expect(p.send('POST')).rejects.toMatchObject({ code: 'POST_NOT_REPEATED' });
    expect(p.sent).toEqual(['POST']);
  });

  it('sends a POST answered 500 only once', async () => {
    const p = pipelineAnswering([500, 200]);
    await expect(p.send('POST')).rejects.toMatchObject({ code: 'POST_NOT_REPEATED' });
    expect(p.sent).toEqual(['POST']);
  });

  it('re-sends a POST that was throttled (ARM did not accept it)', async () => {
    const p = pipelineAnswering([429, 202]);
    await expect(p.send('POST')).resolves.toMatchObject({ status: 202 });
    expect(p.sent).toEqual(['POST', 'POST']);
  });

  it('leaves reads to the retry policy', async () => {
    const p = pipelineAnswering([500, 500, 200]);
    await expect(p.send('GET')).resolves.toMatchObject({ status: 200 });
    expect(p.sent).toEqual(['GET', 'GET', 'GET']);
  });
});

describe('recovery point summary', () => {
  it('is complete once the newest point of each kind was seen in newest-first order', () => {
    const s = new PointSummary();
    s.add('2026-11-28T10:05:00Z', 'CrashConsistent');
    expect(s.complete()).toBe(false);
    s.add('2026-11-28T10:00:00Z', 'ApplicationConsistent');
    expect(s.complete()).toBe(true);
    expect(s.result()).toEqual({
      count: 2,
      latestCrashConsistent: '2026-11-28T10:05:00Z',
      latestAppConsistent: '2026-11-28T10:00:00Z',
    });
  });

  it('keeps reading when the order is not newest first, and still finds the newest', () => {
    const s = new PointSummary();
    s.add('2026-11-28T09:00:00Z', 'CrashConsistent');
    s.add('2026-11-28T09:30:00Z', 'AppConsistent');
    s.add('2026-11-28T10:00:00Z', 'CrashConsistent');
    expect(s.complete()).toBe(false);
    expect(s.result()).toMatchObject({
      latestCrashConsistent: '2026-11-28T10:00:00Z',
      latestAppConsistent: '2026-11-28T09:30:00Z',
    });
  });
});

describe('job list filter time', () => {
  it('is written as Azure PowerShell writes it (7 fractional digits)', () => {
    expect(powershellTime(new Date('2021-04-04T05:28:32.133Z'))).toBe('2021-04-04T05:28:32.1330000Z');
  });
});

describe('ARM token scope', () => {
  it.each([
    ['https://management.azure.com', 'https://management.azure.com/.default'],
    ['https://management.usgovcloudapi.net/', 'https://management.usgovcloudapi.net/.default'],
    ['https://management.chinacloudapi.cn', 'https://management.chinacloudapi.cn/.default'],
    ['https://127.0.0.1:8443', 'https://management.azure.com/.default'],
  ])('for %s is %s', (endpoint, scope) => {
    expect(armScope(endpoint)).toBe(scope);
  });
});
