import { ArmReadBudget } from '../../src/azure/arm-budget-policy';
import { loadConfig } from '../../src/config';
import { byVault, parseVaultId, vaultKeyOf, vaultLabel } from '../../src/domain/vault';
import { armScopeOf } from '../../src/observability/arm-metrics-policy';
import { requestModal } from '../../src/bot/views';

const SUB_A = '00000000-0000-0000-0000-000000000000';
const SUB_B = '11111111-2222-3333-4444-555555555555';
const WEU = `/subscriptions/${SUB_A}/resourceGroups/avs-dr/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault`;
const NEU = `/subscriptions/${SUB_B}/resourceGroups/avs-dr-ne/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault-ne`;
const item = (vault: string, name: string) =>
  `${vault}/replicationFabrics/cs01/replicationProtectionContainers/cloud_1/replicationProtectedItems/${name}`;

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 's',
  FAILBACK_APPROVERS: 'U123',
};

describe('vaults', () => {
  it('finds the vault of any id under it, case-insensitively, and groups by it', () => {
    expect(parseVaultId(item(NEU, 'ne-app-01'))).toEqual({
      subscriptionId: SUB_B,
      resourceGroup: 'avs-dr-ne',
      name: 'avs-dr-vault-ne',
    });
    expect(vaultKeyOf(item(WEU.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions'), 'x'))).toBe(WEU.toLowerCase());
    expect(parseVaultId('/items/app-01')).toBeUndefined();
    const groups = byVault([item(WEU, 'a'), item(NEU, 'b'), item(WEU, 'c')], (id) => id);
    expect([...groups.values()].map((g) => g.length)).toEqual([2, 1]);
    expect(vaultLabel({ name: 'avs-dr-vault-ne', location: 'northeurope' })).toBe('avs-dr-vault-ne (northeurope)');
  });

  it('config: the one-vault shorthand, a list of vault ids in any subscriptions, or discovery', () => {
    const one = loadConfig({
      ...base,
      AZURE_SUBSCRIPTION_ID: SUB_A,
      AZURE_RESOURCE_GROUP: 'avs-dr',
      AZURE_RECOVERY_VAULT: 'avs-dr-vault',
    });
    expect(one.azure.vaults).toEqual([{ subscriptionId: SUB_A, resourceGroup: 'avs-dr', name: 'avs-dr-vault' }]);
    const both = loadConfig({
      ...base,
      AZURE_SUBSCRIPTION_ID: SUB_A,
      AZURE_RESOURCE_GROUP: 'avs-dr',
      AZURE_RECOVERY_VAULT: 'avs-dr-vault',
      AZURE_RECOVERY_VAULTS: `${WEU}, ${NEU}`,
    });
    expect(both.azure.vaults.map((v) => v.name)).toEqual(['avs-dr-vault', 'avs-dr-vault-ne']);
    const listed = loadConfig({ ...base, AZURE_RECOVERY_VAULTS: NEU });
    expect(listed.azure.vaults.map((v) => v.subscriptionId)).toEqual([SUB_B]);
    const discovered = loadConfig({ ...base, AZURE_VAULT_SUBSCRIPTIONS: `${SUB_A},${SUB_B}` });
    expect(discovered.azure).toMatchObject({ vaults: [], discoverIn: [SUB_A, SUB_B] });
  });

  it('config: names what is missing or wrong about the vaults, all at once', () => {
    expect(() => loadConfig(base)).toThrow(/AZURE_RECOVERY_VAULT is required .*unless AZURE_RECOVERY_VAULTS/);
    expect(() => loadConfig({ ...base, AZURE_RECOVERY_VAULTS: NEU, AZURE_RESOURCE_GROUP: 'rg' })).toThrow(
      /AZURE_SUBSCRIPTION_ID is required with the other two/,
    );
    expect(() => loadConfig({ ...base, AZURE_RECOVERY_VAULTS: '/subscriptions/x/vaults/y' })).toThrow(
      /AZURE_RECOVERY_VAULTS entries must be vault ARM ids/,
    );
  });

  it('metrics label ARM requests by vault and subscription', () => {
    expect(armScopeOf(`https://management.azure.com${item(NEU, 'x')}?api-version=1`)).toEqual({
      vault: 'avs-dr-vault-ne',
      subscription: SUB_B,
    });
    expect(
      armScopeOf(`https://management.azure.com/subscriptions/${SUB_A}/providers/Microsoft.RecoveryServices/vaults?x=1`),
    ).toEqual({ vault: '-', subscription: SUB_A });
  });
});

describe('the ARM read budget per subscription', () => {
  it('lets a burst through, then paces reads to the rate — each subscription on its own', () => {
    let now = 0;
    const budget = new ArmReadBudget({ perSecond: 10, burst: 3, now: () => now });
    expect([budget.take(SUB_A), budget.take(SUB_A), budget.take(SUB_A)]).toEqual([0, 0, 0]);
    expect(budget.take(SUB_A)).toBe(100);
    expect(budget.take(SUB_B)).toBe(0);
    now = 1_000;
    expect(budget.take(SUB_A)).toBe(0);
  });
});

describe('the request form across vaults', () => {
  const weu = { id: WEU.toLowerCase(), name: 'avs-dr-vault', location: 'westeurope' };
  const neu = { id: NEU.toLowerCase(), name: 'avs-dr-vault-ne', location: 'northeurope' };
  const vm = (name: string, vault: typeof weu) => ({
    id: item(vault.id, name),
    name,
    vault,
    failback: { ready: true as const },
    pointChoices: ['latest' as const],
  });

  it('groups the VMs by vault and region, says that several vaults make several runs, and names a vault it cannot read', () => {
    const view = requestModal({
      vms: [vm('app-01', weu), vm('ne-app-01', neu), vm('db-01', weu)],
      now: new Date(0),
      unreadable: [
        {
          vault: { id: 'x', name: 'avs-dr-vault-sea', location: 'southeastasia' },
          message: 'AuthorizationFailed: no <b>role</b>',
        },
      ],
    });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('"option_groups"');
    expect(text).toMatch(
      /"label":\{"type":"plain_text","text":"avs-dr-vault \(westeurope\)".*"app-01".*"db-01".*"avs-dr-vault-ne \(northeurope\)".*"ne-app-01"/,
    );
    expect(text).toContain('VMs chosen in several vaults start one run per vault');
    expect(text).toContain('avs-dr-vault-sea (southeastasia)* cannot be read');
    expect(text).toContain('&lt;b&gt;role&lt;/b&gt;');
  });

  it('one vault: plain options, as before', () => {
    const view = requestModal({ vms: [vm('app-01', weu), vm('db-01', weu)], now: new Date(0) });
    expect(JSON.stringify(view.blocks)).not.toContain('option_groups');
  });
});
