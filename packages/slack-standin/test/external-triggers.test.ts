import { WebClient } from '@slack/web-api';
import { EXTERNAL_TRIGGER_USER, type SlackStandIn, startSlackStandIn } from '../src';
import { silentLogger } from './support/silent-logger';

const BOT_TOKEN = 'xoxb-stand-in-test';

const loadingView = {
  type: 'modal' as const,
  callback_id: 'failback_request',
  title: { type: 'plain_text' as const, text: 'Fail back' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Loading…' } }],
};

let sequence = 0;
/** A trigger_id as a load generator makes one up: `ext.<issuedAtEpochMs>.<random>`. */
const externalTrigger = (issuedAt: number) => `ext.${issuedAt}.t${(sequence += 1)}x9f3a`;

describe('trigger_ids made up outside the stand-in', () => {
  let standIn: SlackStandIn;
  let client: WebClient;
  const open = (triggerId: string) => client.views.open({ trigger_id: triggerId, view: loadingView });

  beforeAll(async () => {
    standIn = await startSlackStandIn({ botToken: BOT_TOKEN, signingSecret: 'unused' });
    client = new WebClient(BOT_TOKEN, {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
  });

  afterAll(() => standIn.stop());

  it('are off unless asked for, at the start or later', async () => {
    const other = await startSlackStandIn({ botToken: BOT_TOKEN, signingSecret: 'unused', externalTriggers: true });
    await other.stop();

    expect(other.externalTriggers).toBe(true);
    expect(standIn.externalTriggers).toBe(false);
  });

  describe('when the stand-in has not opted in', () => {
    it('refuses them as Slack refuses an unknown trigger', async () => {
      standIn.externalTriggers = false;

      await expect(open(externalTrigger(Date.now()))).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    });
  });

  describe('when the stand-in accepts them', () => {
    beforeAll(() => {
      standIn.externalTriggers = true;
    });

    it('opens a modal with a fresh one, for the external user', async () => {
      const opened = await open(externalTrigger(Date.now()));

      expect(opened.ok).toBe(true);
      expect(standIn.views.get(opened.view?.id ?? '')?.userId).toBe(EXTERNAL_TRIGGER_USER);
    });

    it('refuses the same one twice', async () => {
      const trigger = externalTrigger(Date.now());
      await open(trigger);

      await expect(open(trigger)).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    });

    it('refuses one issued more than 3 seconds ago', async () => {
      await expect(open(externalTrigger(standIn.now() - 3_001))).rejects.toMatchObject({
        data: { error: 'expired_trigger_id' },
      });
    });

    it('refuses one from the future and one of another shape', async () => {
      await expect(open(externalTrigger(standIn.now() + 60_000))).rejects.toMatchObject({
        data: { error: 'invalid_trigger_id' },
      });
      await expect(open(`ext.${Date.now()}`)).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    });

    it('still accepts its own triggers', async () => {
      const own = standIn.state.issueTrigger('U0ALICE');

      await expect(open(own.id)).resolves.toMatchObject({ ok: true });
    });

    it('gives the modals to the user the setting names', async () => {
      standIn.externalTriggers = { userId: 'U0LOAD' };

      const opened = await open(externalTrigger(Date.now()));

      expect(standIn.openViews('U0LOAD').map((v) => v.id)).toContain(opened.view?.id);
    });
  });
});
