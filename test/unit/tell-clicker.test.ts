import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { BotDeps } from '../../src/bot/deps';
import { tellClicker } from '../../src/bot/listeners/commit-guard';

const CARD_TS = '1700000000.000100';
const PROMPT_TS = '1700000005.000200';

function setup(click: { message?: Record<string, unknown>; responseUrl?: string; respondFails?: boolean }) {
  const posted: Record<string, unknown>[] = [];
  const responded: Record<string, unknown>[] = [];
  const warnings: unknown[] = [];
  const client = {
    chat: { postEphemeral: async (args: Record<string, unknown>) => void posted.push(args) },
  } as unknown as WebClient;
  const respond = (async (args: Record<string, unknown>) => {
    if (click.respondFails) throw new Error('Failed to respond to the response_url: 404');
    responded.push(args);
  }) as unknown as RespondFn;
  const deps = { log: { warn: (...args: unknown[]) => void warnings.push(args) } } as unknown as BotDeps;
  const body = {
    type: 'block_actions',
    user: { id: 'U0BYSTANDER' },
    channel: { id: 'C0INCIDENT' },
    container: {
      type: 'message',
      channel_id: 'C0INCIDENT',
      message_ts: String(click.message?.ts ?? ''),
      is_ephemeral: false,
    },
    ...(click.message ? { message: click.message } : {}),
    ...(click.responseUrl ? { response_url: click.responseUrl } : {}),
  } as unknown as BlockAction;
  return { tell: tellClicker(deps, { body, client, respond }), posted, responded, warnings };
}

const onPrompt = { ts: PROMPT_TS, thread_ts: CARD_TS };
// Slack sends a parent message that has replies with thread_ts = its own ts: it is not in a thread.
const onCard = { ts: CARD_TS, thread_ts: CARD_TS, reply_count: 2 };

describe('telling the person who clicked a button', () => {
  it('answers through the response_url, ephemeral, in the clicked message’s thread, leaving the message as it is', async () => {
    const { tell, posted, responded } = setup({ message: onPrompt, responseUrl: 'https://hooks.slack.test/r/1' });
    await tell('Only configured approvers can commit a failback.');
    expect(responded).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Only configured approvers can commit a failback.',
        thread_ts: CARD_TS,
      },
    ]);
    expect(posted).toEqual([]);
  });

  it('answers a click on the card at the channel’s top level', async () => {
    const { tell, responded } = setup({ message: onCard, responseUrl: 'https://hooks.slack.test/r/2' });
    await tell('no');
    expect(responded).toEqual([{ response_type: 'ephemeral', replace_original: false, text: 'no' }]);
  });

  it('posts an ephemeral in the thread when there is no response_url', async () => {
    const { tell, posted, responded } = setup({ message: onPrompt });
    await tell('no');
    expect(responded).toEqual([]);
    expect(posted).toEqual([{ channel: 'C0INCIDENT', user: 'U0BYSTANDER', text: 'no', thread_ts: CARD_TS }]);
  });

  it('posts an ephemeral in the thread when Slack refuses the response_url (spent or expired)', async () => {
    const { tell, posted, warnings } = setup({
      message: onPrompt,
      responseUrl: 'https://hooks.slack.test/r/3',
      respondFails: true,
    });
    await tell('no');
    expect(posted).toEqual([{ channel: 'C0INCIDENT', user: 'U0BYSTANDER', text: 'no', thread_ts: CARD_TS }]);
    expect(warnings).toHaveLength(1);
  });
});
