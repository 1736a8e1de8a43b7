import { App, LogLevel, type BlockAction, type types } from '@slack/bolt';
import { WebClient, ErrorCode as WebApiErrorCode, type WebAPIPlatformError } from '@slack/web-api';
import type { AddressInfo } from 'node:net';
import { renderTranscriptHtml, renderTranscriptText, type SlackStandIn, startSlackStandIn } from '../src';
import { silentLogger } from './support/silent-logger';

const BOT_TOKEN = 'xoxb-stand-in-test';
const SIGNING_SECRET = 'stand-in-signing-secret';
const USER = 'U0ALICE';
const CHANNEL = 'C0INCIDENT';

const loadingView: types.ModalView = {
  type: 'modal',
  callback_id: 'failback_request',
  title: { type: 'plain_text', text: 'Fail back' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Loading…' } }],
};

const requestForm: types.ModalView = {
  type: 'modal',
  callback_id: 'failback_request',
  private_metadata: JSON.stringify({ channel: CHANNEL }),
  title: { type: 'plain_text', text: 'Fail back' },
  submit: { type: 'plain_text', text: 'Request' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [
    {
      type: 'input',
      block_id: 'vms',
      label: { type: 'plain_text', text: 'VMs' },
      element: {
        type: 'multi_static_select',
        action_id: 'vms',
        options: [
          { text: { type: 'plain_text', text: 'web-01' }, value: 'vm-1' },
          { text: { type: 'plain_text', text: 'db-01' }, value: 'vm-2' },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'incident',
      label: { type: 'plain_text', text: 'Incident' },
      element: { type: 'plain_text_input', action_id: 'incident' },
    },
  ],
};

/** A tiny real Bolt app over HTTP, talking to the stand-in. */
async function startTinyBot(standIn: SlackStandIn) {
  const seen = { submissions: [] as unknown[], viewOpenErrors: [] as string[] };
  let releaseLate: () => void = () => undefined;
  const lateGate = new Promise<void>((resolve) => {
    releaseLate = resolve;
  });
  const app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/failback', async ({ ack, body, client, respond }) => {
    await ack();
    if (body.text === 'late') {
      await lateGate;
      try {
        await client.views.open({ trigger_id: body.trigger_id, view: loadingView });
      } catch (err) {
        seen.viewOpenErrors.push((err as WebAPIPlatformError).data.error);
      }
      return;
    }
    if (body.text === 'help') {
      await respond({ text: 'Usage: `/failback`' });
      return;
    }
    const opened = await client.views.open({ trigger_id: body.trigger_id, view: loadingView });
    await client.views.update({ view_id: opened.view?.id ?? '', hash: opened.view?.hash ?? '', view: requestForm });
  });
  app.action('commit', async ({ ack, body, client }) => {
    await ack();
    const container = (body as BlockAction).container as { channel_id: string; message_ts: string };
    await client.chat.update({
      channel: container.channel_id,
      ts: container.message_ts,
      text: 'Committed',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Committed by <@${body.user.id}>` } }],
    });
  });
  app.view('failback_request', async ({ ack, view }) => {
    seen.submissions.push(view.state.values);
    const incident = view.state.values.incident?.incident?.value ?? '';
    if (!/^INC-\d+$/.test(incident)) {
      await ack({ response_action: 'errors', errors: { incident: 'Use an incident reference like INC-123.' } });
      return;
    }
    await ack();
  });
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const port = (server.address() as AddressInfo).port;
  return { app, seen, releaseLate, botUrl: `http://127.0.0.1:${port}/slack/events` };
}

describe('the Slack stand-in with a real Bolt app', () => {
  let standIn: SlackStandIn;
  let bot: Awaited<ReturnType<typeof startTinyBot>>;
  let client: WebClient;

  beforeAll(async () => {
    standIn = await startSlackStandIn({
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      users: { [USER]: 'alice', U0BOB: { name: 'bob', realName: 'Bob Approver' } },
      channels: { [CHANNEL]: 'incident-42' },
      userGroups: { S0APPROVERS: ['U0BOB'] },
    });
    bot = await startTinyBot(standIn);
    standIn.botUrl = bot.botUrl;
    // Bolt's App calls auth.test from its constructor and keeps the promise; if it were still in
    // flight when the stand-in stops, its rejection would be unhandled and end the jest worker.
    await standIn.waitFor((s) => s.callsTo('auth.test').length > 0, { message: 'Bolt called auth.test' });
    client = new WebClient(BOT_TOKEN, {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    bot.releaseLate();
    await bot.app.stop();
    await standIn.stop();
  });

  describe('when a person types /failback', () => {
    it('accepts the signed request, opens the loading modal with the trigger and fills it', async () => {
      const reply = await standIn.sendCommand({ command: '/failback', text: '', userId: USER, channelId: CHANNEL });

      expect(reply.status).toBe(200);
      expect(reply.withinSlackTimeout).toBe(true);
      const view = await standIn.waitFor((s) => s.openViews(USER).find((v) => v.history.length === 1), {
        message: 'the modal was opened and updated once',
      });
      expect(view.view.submit).toEqual({ type: 'plain_text', text: 'Request' });
      expect(standIn.callsTo('views.open')[0]?.response.ok).toBe(true);
      expect(standIn.callsTo('views.update')[0]?.response.ok).toBe(true);
      expect(standIn.callsTo('auth.test').length).toBeGreaterThan(0);
    });

    it('refuses a trigger_id used twice', async () => {
      const first = standIn.callsTo('views.open')[0];
      const result = client.views.open({ trigger_id: String(first?.args.trigger_id), view: loadingView });
      await expect(result).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    });

    it('refuses a trigger_id the bot uses after 3 seconds', async () => {
      await standIn.sendCommand({ text: 'late', userId: USER, channelId: CHANNEL });
      standIn.advanceClock(3_001);
      bot.releaseLate();

      await standIn.waitFor(() => bot.seen.viewOpenErrors.length > 0, { message: 'the late views.open returned' });
      expect(bot.seen.viewOpenErrors).toEqual(['expired_trigger_id']);
    });

    it('refuses an unknown trigger_id', async () => {
      await expect(client.views.open({ trigger_id: '1.2.nope', view: loadingView })).rejects.toMatchObject({
        data: { error: 'invalid_trigger_id' },
      });
    });

    it('shows what the bot posts to the response_url to that person only', async () => {
      await standIn.sendCommand({ text: 'help', userId: USER, channelId: CHANNEL });

      const ephemeral = await standIn.waitFor((s) => s.ephemerals({ channel: CHANNEL, user: USER })[0]);
      expect(ephemeral.text).toBe('Usage: `/failback`');
      expect(standIn.responseUrlPosts[0]?.effect).toBe('ephemeral');
    });
  });

  describe('when a person submits the modal with a bad incident reference', () => {
    it('keeps the modal open with the bot’s field error', async () => {
      const view = standIn.openViews(USER).find((v) => v.view.callback_id === 'failback_request' && v.view.submit);
      const reply = await standIn.submitView({
        userId: USER,
        viewId: view?.id ?? '',
        inputs: { vms: ['vm-1'], incident: 'oops' },
      });

      expect(reply.responseAction).toBe('errors');
      expect(reply.errors).toEqual({ incident: 'Use an incident reference like INC-123.' });
      expect(standIn.views.get(view?.id ?? '')?.state).toBe('open');
      expect(bot.seen.submissions[0]).toEqual({
        vms: {
          vms: {
            type: 'multi_static_select',
            selected_options: [{ text: { type: 'plain_text', text: 'web-01' }, value: 'vm-1' }],
          },
        },
        incident: { incident: { type: 'plain_text_input', value: 'oops' } },
      });
    });

    it('closes the modal once the reference is valid', async () => {
      const view = standIn.openViews(USER).find((v) => v.view.submit);
      const reply = await standIn.submitView({
        userId: USER,
        viewId: view?.id ?? '',
        inputs: { vms: ['vm-1', 'vm-2'], incident: 'INC-7' },
      });

      expect(reply.responseAction).toBe('close');
      expect(standIn.views.get(view?.id ?? '')?.state).toBe('closed');
    });
  });

  describe('when a person clicks a button on a bot message', () => {
    it('delivers block_actions and records the chat.update', async () => {
      const posted = await client.chat.postMessage({
        channel: CHANNEL,
        text: 'Ready to commit',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Ready to commit' } },
          {
            type: 'actions',
            block_id: 'run',
            elements: [
              {
                type: 'button',
                action_id: 'commit',
                text: { type: 'plain_text', text: 'Commit' },
                value: 'FB-1',
                style: 'danger',
              },
            ],
          },
        ],
      });

      const reply = await standIn.clickButton({
        userId: 'U0BOB',
        channelId: CHANNEL,
        messageTs: posted.ts ?? '',
        actionId: 'commit',
      });

      expect(reply.status).toBe(200);
      const updated = await standIn.waitFor((s) => {
        const message = s.message(CHANNEL, posted.ts ?? '');
        return message?.editedAt !== undefined ? message : undefined;
      });
      expect(updated.text).toBe('Committed');
      expect(updated.history).toHaveLength(1);
    });
  });

  describe('when a request is not from Slack', () => {
    it('gets 401 for a forged signature', async () => {
      const reply = await standIn.sendCommand({
        text: 'help',
        userId: USER,
        channelId: CHANNEL,
        options: { forgeSignature: true },
      });
      expect(reply.status).toBe(401);
    });

    it('gets 401 for a timestamp older than 5 minutes', async () => {
      const reply = await standIn.sendCommand({
        text: 'help',
        userId: USER,
        channelId: CHANNEL,
        options: { staleBySeconds: 301 },
      });
      expect(reply.status).toBe(401);
    });
  });

  describe('when the bot sends what Slack refuses', () => {
    it('refuses a section text over 3000 characters with invalid_blocks', async () => {
      const result = client.chat.postMessage({
        channel: CHANNEL,
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }],
      });
      await expect(result).rejects.toMatchObject({
        data: {
          error: 'invalid_blocks',
          errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
        },
      });
    });

    it('refuses a modal title over 24 characters and duplicate action_ids', async () => {
      const view = { ...requestForm, title: { type: 'plain_text', text: 'A title that is far too long' } };
      view.blocks = [...requestForm.blocks, requestForm.blocks[1]!];
      const result = client.views.update({ external_id: 'none', view: view as never });
      await expect(result).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
      const errors = (standIn.callsTo('views.update').at(-1)?.response.errors ?? []) as string[];
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringContaining('/view/title/text'),
          expect.stringContaining('duplicate block_id "incident"'),
        ]),
      );
    });

    it('refuses a wrong token with invalid_auth and an unknown method with unknown_method', async () => {
      const wrong = new WebClient('xoxb-wrong', {
        slackApiUrl: standIn.apiUrl,
        retryConfig: { retries: 0 },
        logger: silentLogger,
      });
      await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
      await expect(client.apiCall('nope.nothing')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    });
  });

  describe('when a rate-limit fault is injected', () => {
    it('answers 429 with Retry-After', async () => {
      standIn.faults.rateLimit('chat.postMessage', 1, 7);
      const strict = new WebClient(BOT_TOKEN, {
        slackApiUrl: standIn.apiUrl,
        rejectRateLimitedCalls: true,
        logger: silentLogger,
      });

      await expect(strict.chat.postMessage({ channel: CHANNEL, text: 'hi' })).rejects.toMatchObject({
        code: WebApiErrorCode.RateLimitedError,
        retryAfter: 7,
      });
      expect(standIn.callsTo('chat.postMessage').at(-1)?.httpStatus).toBe(429);
      await expect(strict.chat.postMessage({ channel: CHANNEL, text: 'hi' })).resolves.toMatchObject({ ok: true });
    });
  });

  describe('when the bot uploads a file', () => {
    it('accepts files.uploadV2 and shares it in the channel', async () => {
      await client.filesUploadV2({
        channel_id: CHANNEL,
        filename: 'report.txt',
        content: 'run report',
        initial_comment: 'Report',
      });

      const shared = standIn.messages(CHANNEL).find((m) => m.files?.length);
      expect(shared?.files?.[0]?.bytes?.toString()).toBe('run report');
      expect(shared?.text).toBe('Report');
    });
  });

  describe('directory lookups', () => {
    it('answers usergroups.users.list and users.info from the options', async () => {
      await expect(client.usergroups.users.list({ usergroup: 'S0APPROVERS' })).resolves.toMatchObject({
        users: ['U0BOB'],
      });
      await expect(client.users.info({ user: 'U0BOB' })).resolves.toMatchObject({
        user: { real_name: 'Bob Approver' },
      });
      await expect(client.conversations.info({ channel: CHANNEL })).resolves.toMatchObject({
        channel: { name: 'incident-42' },
      });
    });
  });

  describe('the transcript of this session', () => {
    it('reads like the channel: the command, the modal, the card with its final content', () => {
      const transcript = standIn.transcript();
      const text = renderTranscriptText(transcript);

      expect(text).toContain('alice  /failback');
      expect(text).toContain('modal opened for alice');
      expect(text).toContain('┌─ Fail back ');
      expect(text).toContain('Committed by @bob');
      expect(text).toContain('▸ Bob Approver clicked [ Commit ]');
      expect(text).toContain('(only visible to alice)');
      expect(renderTranscriptHtml(transcript, { title: '#incident-42' })).toContain(
        '<span class="mention">@bob</span>',
      );
    });
  });
});
