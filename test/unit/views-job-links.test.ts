import { asrJobLink, portalHost, runCard, vmLine } from '../../src/bot/views';
import type { Run, RunVm } from '../../src/domain/run';
import { assertWithinSlackLimits, mrkdwnTexts } from './views-limits';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const AT = '2026-11-28T11:00:00.000Z';
const FAILOVER = '6f1d2c3b-0a9e-4f7d-8c6b-5a4e3d2c1b0a';
const COMMIT = '7a2e3d4c-1b0f-4e8d-9d7c-6b5f4e3d2c1b';
const REPROTECT = '8b3f4e5d-2c1a-4f9e-ae8d-7c6a5f4e3d2c';
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const ARM = 'https://management.azure.com';
const VAULT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/avs-dr/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault`;
/** An item's ARM id: the job links find the vault in it. */
const item = (name: string, vaultId = VAULT_ID) =>
  `${vaultId}/replicationFabrics/cs01/replicationProtectionContainers/cloud_1/replicationProtectedItems/${name}`;
const JOBS = `${VAULT_ID}/replicationJobs`;
const portal = (job: string) => `https://portal.azure.com/#resource${JOBS}/${job}`;

/** A VM protected to Azure again: three ASR jobs. */
const protectedVm = (name = 'app-01'): RunVm => ({
  id: item(name),
  name,
  failover: { status: 'succeeded', jobName: FAILOVER, endedAt: AT },
  commit: { status: 'succeeded', jobName: COMMIT, endedAt: AT },
  reprotect: { status: 'succeeded', jobName: REPROTECT, endedAt: AT },
  shutdown: 'succeeded',
});
const run = (vms: RunVm[]): Run => ({
  id: 'FB-7',
  version: 12,
  createdAt: '2026-11-28T10:00:00.000Z',
  requesterId: 'UREQ',
  channelId: 'CINC',
  incident: 'INC-1234',
  reason: 'AVS is healthy again',
  recoveryPoint: { kind: 'latest' },
  commit: { approvedBy: 'UAPP', approvedAt: AT },
  reprotect: { requestedBy: 'UAPP', requestedAt: AT, round: 1, windowEndsAt: AT, choices: {} },
  vms,
});
/** Every text of the card with the URLs of its links taken out: what a person reads. */
const readable = (subject: unknown) => mrkdwnTexts(subject).map((t) => t.replace(/<https:\/\/[^|>]+\|([^>]+)>/g, '$1'));

describe('links to ASR jobs in the Azure portal', () => {
  it.each([
    ['https://management.azure.com', 'portal.azure.com'],
    ['https://management.azure.com/', 'portal.azure.com'],
    ['https://management.usgovcloudapi.net', 'portal.azure.us'],
    ['https://management.chinacloudapi.cn', 'portal.azure.cn'],
    ['https://127.0.0.1:8443', 'portal.azure.com'],
    ['not a url', 'portal.azure.com'],
  ])('opens the portal of the ARM endpoint’s cloud: %s → %s', (arm, host) => {
    expect(portalHost(arm)).toBe(host);
    expect(asrJobLink(arm)(FAILOVER, item('app-01'))).toBe(`https://${host}/#resource${JOBS}/${FAILOVER}`);
  });

  it('percent-encodes what it puts in the URL, so no link can be broken out of', () => {
    const otherVault = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg|x/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault`;
    const link = asrJobLink(ARM)('job>|<@U1>&', item('app-01', otherVault));
    expect(link).toBe(
      `https://portal.azure.com/#resource/subscriptions/${SUBSCRIPTION}/resourceGroups/rg%7Cx/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault/replicationJobs/job%3E%7C%3C%40U1%3E%26`,
    );
    expect(asrJobLink(ARM)('', item('app-01'))).toBeUndefined();
    // An id outside any vault links nowhere.
    expect(asrJobLink(ARM)(FAILOVER, '/items/app-01')).toBeUndefined();
  });

  it('links each job into the vault of the VM it acts on (several vaults, several subscriptions)', () => {
    const north =
      '/subscriptions/99999999-8888-7777-6666-555555555555/resourceGroups/avs-dr-ne/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault-ne';
    expect(asrJobLink(ARM)(FAILOVER, item('ne-app-01', north))).toBe(
      `https://portal.azure.com/#resource${north}/replicationJobs/${FAILOVER}`,
    );
  });
});

describe('the run card’s ASR jobs', () => {
  it('links each step to its job and shows no job id as text', () => {
    const card = runCard(run([protectedVm()]), NOW, { jobLink: asrJobLink(ARM) });
    assertWithinSlackLimits(card);
    expect(mrkdwnTexts(card)).toContain(
      `:white_check_mark: *app-01* — protected to Azure again · <${portal(FAILOVER)}|failover> · <${portal(COMMIT)}|commit> · <${portal(REPROTECT)}|reprotect>`,
    );
    for (const t of [...readable(card), card.text]) expect(t).not.toMatch(GUID);
  });

  it('names the steps without links when no link is given', () => {
    const card = runCard(run([protectedVm()]), NOW);
    expect(mrkdwnTexts(card)).toContain(
      ':white_check_mark: *app-01* — protected to Azure again · failover · commit · reprotect',
    );
    expect(JSON.stringify(card)).not.toMatch(GUID);
  });

  it('names only the steps ASR has run a job for', () => {
    const failing: RunVm = { id: item('db-01'), name: 'db-01', failover: { status: 'running', jobName: FAILOVER } };
    expect(vmLine({ ...run([failing]), commit: undefined, reprotect: undefined }, failing, asrJobLink(ARM))).toBe(
      `:arrows_counterclockwise: *db-01* — failover running · <${portal(FAILOVER)}|failover>`,
    );
    const waiting: RunVm = { id: item('db-01'), name: 'db-01', failover: { status: 'pending' } };
    expect(vmLine({ ...run([waiting]), commit: undefined, reprotect: undefined }, waiting, asrJobLink(ARM))).toBe(
      ':hourglass: *db-01* — waiting to start',
    );
  });

  it('keeps the VM name and ASR’s message escaped next to the links: only the steps are link text', () => {
    const evil = '<https://evil|failover> <!channel>';
    const vm: RunVm = { id: item('x'), name: evil, failover: { status: 'failed', jobName: FAILOVER, error: evil } };
    const line = vmLine({ ...run([vm]), commit: undefined, reprotect: undefined }, vm, asrJobLink(ARM));
    expect(line).toBe(
      `:x: *&lt;https://evil|failover&gt; &lt;!channel&gt;* — failover failed: &lt;https://evil|failover&gt; &lt;!channel&gt; · <${portal(FAILOVER)}|failover>`,
    );
    expect(line.match(/<https:/g)).toHaveLength(1);
  });
});
