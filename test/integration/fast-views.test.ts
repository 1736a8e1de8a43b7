import { WebClient } from '@slack/web-api';
import { type SlackStandIn, startSlackStandIn } from '@failback/slack-standin';
import { openViewFast, updateViewFast } from '../../src/slack/fast-views';

const BOT_TOKEN = 'xoxb-fast-views-test';
const form = JSON.stringify({
  type: 'modal',
  callback_id: 'failback_request',
  title: { type: 'plain_text', text: 'Fail back to AVS' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'app-01 · db-01' } }],
});

let sequence = 0;
const trigger = (issuedAt: number) => `ext.${issuedAt}.f${(sequence += 1)}x7c1e`;

describe('fast views (the request form’s views.open and views.update as one JSON POST each)', () => {
  let standIn: SlackStandIn;
  let client: WebClient;

  beforeAll(async () => {
    standIn = await startSlackStandIn({ botToken: BOT_TOKEN, signingSecret: 'unused', externalTriggers: true });
    client = new WebClient(BOT_TOKEN, { slackApiUrl: standIn.apiUrl });
  });

  afterAll(() => standIn.stop());

  it('opens the view from its JSON text with one call, as Slack takes it', async () => {
    const before = standIn.callsTo('views.open').length;
    const viewId = await openViewFast(client, trigger(Date.now()), form);
    const calls = standIn.callsTo('views.open').slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.response.ok).toBe(true);
    expect(calls[0]?.args.view).toMatchObject({ callback_id: 'failback_request' });
    expect(viewId).toBe((calls[0]?.response.view as { id?: string } | undefined)?.id);
    expect(viewId).toMatch(/^V/);
  });

  it('updates a view by id from its JSON text with one call', async () => {
    const viewId = await openViewFast(client, trigger(Date.now()), JSON.stringify({ ...JSON.parse(form), blocks: [] }));
    const before = standIn.callsTo('views.update').length;
    expect(await updateViewFast(client, viewId ?? '', form)).toBe(viewId);
    const calls = standIn.callsTo('views.update').slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toMatchObject({ view_id: viewId, view: { callback_id: 'failback_request' } });
    expect(JSON.stringify(standIn.state.views.get(viewId ?? ''))).toContain('app-01 · db-01');
  });

  it('an update of a view Slack does not know is refused, once', async () => {
    const before = standIn.callsTo('views.update').length;
    await expect(updateViewFast(client, 'V0NOSUCHVIEW', form)).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'not_found' },
    });
    expect(standIn.callsTo('views.update').slice(before)).toHaveLength(1);
  });

  it('takes Slack’s refusal as final: the error as the client would throw it, and no second call', async () => {
    const before = standIn.callsTo('views.open').length;
    const refused = openViewFast(client, trigger(Date.now() - 10_000), form);
    await expect(refused).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: expect.stringMatching(/trigger/) },
    });
    expect(standIn.callsTo('views.open').slice(before)).toHaveLength(1);
  });
});
