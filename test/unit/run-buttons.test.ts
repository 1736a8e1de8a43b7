import type { WebClient } from '@slack/web-api';
import { commitClicked } from '../../src/bot/listeners/actions/commit-button';
import { leaveOutClicked } from '../../src/bot/listeners/actions/failed-vm-buttons';
import type { RunClick } from '../../src/bot/listeners/run-button';
import type { Run } from '../../src/domain/run';
import { aRun, play, T0, vmInRun } from './fixtures';

/** A click on a run's button, with Slack replaced by what the handler asked of it. */
function click(run: Run) {
  const told: string[] = [];
  const opened: unknown[] = [];
  const client = {
    views: { open: async (args: unknown) => (opened.push(args), { ok: true }) },
  } as unknown as WebClient;
  const c: RunClick = { run, userId: 'UAPP', triggerId: 'T1', client, tell: async (text) => told.push(text) };
  return { c, told, opened };
}

const failedOver = play(
  aRun({ vms: [vmInRun('app-01'), vmInRun('db-01')] }),
  { type: 'op-started', vmId: '/items/app-01', op: 'failover', jobName: 'j1', at: T0 },
  { type: 'op-succeeded', vmId: '/items/app-01', op: 'failover', at: T0 },
  { type: 'op-failed', vmId: '/items/db-01', op: 'failover', at: T0, error: 'boom' },
);

describe('the Commit button’s handler', () => {
  it('opens the confirmation for a run that waits for its commit', async () => {
    const { c, told, opened } = click(failedOver);
    await commitClicked(c);
    expect(told).toEqual([]);
    expect(opened).toEqual([expect.objectContaining({ trigger_id: 'T1' })]);
  });

  it('says so, and opens nothing, when the run does not wait for a commit', async () => {
    const { c, told, opened } = click(aRun());
    await commitClicked(c);
    expect(told).toEqual(['Run FB-7 is not waiting for a commit.']);
    expect(opened).toEqual([]);
  });
});

describe('the Leave out… button’s handler', () => {
  it('asks which failed VM, when one is left to decide', async () => {
    const { c, opened } = click(failedOver);
    await leaveOutClicked(c);
    expect(opened).toHaveLength(1);
  });

  it('says there is none once the commit is approved', async () => {
    const committed = play(failedOver, { type: 'commit-approved', by: 'UAPP', at: T0 });
    const { c, told, opened } = click(committed);
    await leaveOutClicked(c);
    expect(told).toEqual(['Run FB-7 has no failed VM to leave out.']);
    expect(opened).toEqual([]);
  });
});
