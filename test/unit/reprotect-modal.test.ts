import type { InputBlock, PlainTextOption, View } from '@slack/types';
import { STATIC_SELECT_MAX, reprotectBlockId } from '../../src/bot/ids';
import { optionKey, reprotectFieldOptions, reprotectModal } from '../../src/bot/views';
import type { ReprotectField, ReprotectForm, ReprotectOption } from '../../src/domain/reprotect-form';
import { aRun } from './fixtures';
import { assertWithinSlackLimits } from './views-limits';

const NOW = new Date('2026-11-28T12:00:00.000Z');
// ARM-length ids: longer than Slack's 150 characters for an option value. Every tenth server is unhealthy.
const psId = (i: number) =>
  `/subscriptions/0/resourceGroups/avs-dr/providers/Microsoft.RecoveryServices/vaults/avs-dr-vault/replicationFabrics/avs-cs01-fabric/processServers/ps-00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;

function processServers(n: number, initial: number): ReprotectField {
  const options: ReprotectOption[] = Array.from({ length: n }, (_, i) => ({
    value: psId(i + 1),
    label: `ps-${String(i + 1).padStart(3, '0')}`,
    health: i % 10 === 9 ? 'Critical' : 'Normal',
    ...(i % 10 === 9 ? { unhealthy: true } : {}),
    lastHeartbeat: '2026-11-28T11:59:00.000Z',
  }));
  return { id: 'processServerId', label: 'Process server', optional: false, options, initial: psId(initial) };
}

function form(field: ReprotectField): ReprotectForm {
  return {
    groups: [
      {
        key: 'cs',
        title: 'Configuration server avs-cs01',
        vmIds: ['/items/app-01'],
        vmNames: ['app-01'],
        fields: [field],
      },
    ],
  };
}

function fieldElement(view: View) {
  const block = view.blocks.find((b) => b.block_id === reprotectBlockId(0, 'processServerId')) as
    InputBlock | undefined;
  return block?.element as {
    type: string;
    action_id: string;
    options?: PlainTextOption[];
    initial_option?: PlainTextOption;
    min_query_length?: number;
  };
}

describe('the reprotect modal’s selects', () => {
  it('lists up to 100 options in a static select, with the default pre-selected', () => {
    const view = reprotectModal(aRun(), form(processServers(STATIC_SELECT_MAX, 42)), NOW);
    const el = fieldElement(view);
    expect(el.type).toBe('static_select');
    expect(el.options).toHaveLength(STATIC_SELECT_MAX);
    expect(el.initial_option).toEqual(el.options?.[41]);
    assertWithinSlackLimits(view);
  });

  it('makes a field of more than 100 options an external select searched from the first keystroke, the default pre-selected', () => {
    const view = reprotectModal(aRun(), form(processServers(150, 131)), NOW);
    const el = fieldElement(view);
    expect(el).toMatchObject({
      type: 'external_select',
      action_id: reprotectBlockId(0, 'processServerId'),
      min_query_length: 0,
    });
    expect(el.options).toBeUndefined();
    // The default is beyond the 100th: still offered, by its key (mapped back to the full id on submit).
    expect(el.initial_option?.value).toBe(optionKey(psId(131)));
    expect(el.initial_option?.text.text).toMatch(/^ps-131 · Normal · heartbeat/);
    assertWithinSlackLimits(view);
  });

  it('searches a field’s options by label, case-insensitive, unhealthy ones marked, at most 100', () => {
    const field = processServers(150, 1);
    expect(reprotectFieldOptions(field, '', NOW)).toHaveLength(STATIC_SELECT_MAX);
    const found = reprotectFieldOptions(field, 'PS-13', NOW);
    expect(found.map((o) => o.value)).toEqual(Array.from({ length: 10 }, (_, i) => optionKey(psId(130 + i))));
    expect(found.find((o) => o.value === optionKey(psId(130)))?.text.text).toMatch(
      /^⚠ ps-130 · Critical .*\(unhealthy\)$/,
    );
    expect(found.every((o) => (o.value ?? '').length <= 150)).toBe(true);
    expect(reprotectFieldOptions(field, 'nothing like it', NOW)).toEqual([]);
  });
});
