import {
  mrkdwnToHtml,
  mrkdwnToText,
  renderTranscriptHtml,
  renderTranscriptText,
  type Transcript,
  type TranscriptEvent,
  transcriptFromState,
  type TranscriptPerson,
  WorkspaceState,
} from '../src';

const T0 = Date.UTC(2024, 4, 1, 10, 42, 0);
const bot: TranscriptPerson = { id: 'U0BOT', name: 'failback-bot', isBot: true };
const alice: TranscriptPerson = { id: 'U0ALICE', name: 'Alice Example', isBot: false };

function runCard(): TranscriptEvent {
  return {
    kind: 'message',
    channel: 'C1',
    ts: '1714560120.000100',
    at: T0,
    author: bot,
    text: 'FB-7 failover',
    editCount: 2,
    files: [],
    reactions: [],
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'FB-7 · failback' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Requested by* <@U0ALICE> · reason: &lt;!channel&gt; please' },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*VM*\nweb-01' },
          { type: 'mrkdwn', text: '*Status*\n:white_check_mark: done' },
        ],
      },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'ASR job `job-1`' }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'commit', text: { type: 'plain_text', text: 'Commit' }, style: 'danger' },
          { type: 'button', action_id: 'details', text: { type: 'plain_text', text: 'Details' } },
        ],
      },
    ],
    replies: [
      {
        ts: '1714560130.000100',
        at: T0 + 10_000,
        author: bot,
        text: 'Task &lt;script&gt;alert(1)&lt;/script&gt; done',
        blocks: [],
        editCount: 0,
        files: [],
        reactions: [],
      },
    ],
  };
}

const modal: TranscriptEvent = {
  kind: 'modal',
  at: T0 - 5_000,
  user: alice,
  viewId: 'V1',
  phase: 'updated',
  title: 'Fail back',
  submit: 'Request',
  close: 'Cancel',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'Plain <script>x</script> & <!channel>' } },
    {
      type: 'input',
      block_id: 'vms',
      label: { type: 'plain_text', text: 'VMs' },
      element: {
        type: 'multi_static_select',
        action_id: 'vms',
        placeholder: { type: 'plain_text', text: 'Pick VMs' },
        options: [],
      },
    },
  ],
};

const transcript: Transcript = {
  events: [
    { kind: 'command', at: T0 - 6_000, channel: 'C1', user: alice, command: '/failback', text: '' },
    modal,
    runCard(),
    {
      kind: 'ephemeral',
      at: T0 + 20_000,
      channel: 'C1',
      author: bot,
      visibleTo: alice,
      text: 'You cannot commit your own run.',
      blocks: [],
    },
    { kind: 'action', at: T0 + 30_000, user: alice, actionId: 'commit', label: 'Commit', where: 'message' },
  ],
  users: { U0ALICE: 'alice' },
  channels: { C1: 'incident-42' },
};

describe('mrkdwn for people', () => {
  it('shows mentions by name and escaped text as typed, in text', () => {
    expect(
      mrkdwnToText('hi <@U0ALICE> in <#C1> &lt;!channel&gt; &amp; <!here>', {
        users: { U0ALICE: 'alice' },
        channels: { C1: 'ops' },
      }),
    ).toBe('hi @alice in #ops <!channel> & @here');
  });

  it('shows links as label and url in text', () => {
    expect(mrkdwnToText('see <https://portal.azure.com/x|the job>')).toBe('see the job (https://portal.azure.com/x)');
  });

  it('keeps escaped specials inert in HTML and drops unsafe link schemes', () => {
    const html = mrkdwnToHtml('&lt;!channel&gt; <javascript:alert(1)|click> <https://ok.example/?a=1&amp;b=2|ok>');
    expect(html).toContain('&lt;!channel&gt;');
    expect(html).not.toContain('<!channel>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<a href="https://ok.example/?a=1&amp;b=2" rel="noopener noreferrer">ok</a>');
  });

  it('never lets an unescaped <script> through as a tag (Slack reads it as a link token)', () => {
    const html = mrkdwnToHtml('<script>alert(1)</script><img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img/i);
  });

  it('renders bold, italic and code in HTML', () => {
    expect(mrkdwnToHtml('*Commit* _now_ `FB-7`')).toBe('<b>Commit</b> <i>now</i> <code>FB-7</code>');
  });
});

describe('renderTranscriptText', () => {
  const text = renderTranscriptText(transcript);

  it('shows time, author and the blocks as a person reads them', () => {
    expect(text).toContain('10:42:00  failback-bot APP');
    expect(text).toContain('FB-7 · failback');
    expect(text).toContain('*Requested by* @alice · reason: <!channel> please');
    expect(text).toContain('[ Commit ]  [ Details ]');
    expect(text).toContain('*VM*                            *Status*');
    expect(text).toContain('          web-01                          ✅ done');
    expect(text).toContain('(edited)');
  });

  it('indents thread replies and marks ephemerals', () => {
    expect(text).toContain('↳ 1 reply');
    expect(text).toMatch(/\n {12}10:42:10 {2}failback-bot APP\n {22}Task <script>alert\(1\)<\/script> done/);
    expect(text).toContain('(only visible to Alice Example)');
    expect(text).toContain('│ Plain <script>x</script> & <!channel>');
  });

  it('draws modals as boxes with their buttons', () => {
    expect(text).toContain('modal updated for Alice Example');
    expect(text).toContain('┌─ Fail back ');
    expect(text).toContain('│ [ Pick VMs ▾ ]');
    expect(text).toContain('[ Cancel ]  [ Request ]');
  });

  it('shows commands and clicks', () => {
    expect(text).toContain('Alice Example  /failback');
    expect(text).toContain('▸ Alice Example clicked [ Commit ]');
  });

  it('dims context lines and colours danger buttons with ANSI when asked', () => {
    const coloured = renderTranscriptText(transcript, { color: true });
    expect(coloured).toContain('\u001b[2mASR job \u001b[36mjob-1\u001b[39m\u001b[22m');
    expect(coloured).toContain('\u001b[31m[ Commit ]\u001b[39m');
    expect(text).not.toContain('\u001b[');
  });
});

describe('renderTranscriptHtml', () => {
  const html = renderTranscriptHtml(transcript, { title: '#incident-42 <b>' });

  it('is one self-contained page without scripts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link |src="http/i);
    expect(html).toContain('<title>#incident-42 &lt;b&gt;</title>');
  });

  it('escapes text: <script> stays text and &lt;!channel&gt; stays inert', () => {
    expect(html).toContain('Task &lt;script&gt;alert(1)&lt;/script&gt; done');
    expect(html).toContain('Plain &lt;script&gt;x&lt;/script&gt; &amp; &lt;!channel&gt;');
    expect(html).toContain('reason: &lt;!channel&gt; please');
    expect(html).not.toContain('<!channel>');
  });

  it('draws avatars, names, Block Kit, threads, ephemerals and modals', () => {
    expect(html).toContain('>FB<');
    expect(html).toContain('<span class="name">failback-bot</span><span class="app">APP</span>');
    expect(html).toContain('<div class="b-header">FB-7 · failback</div>');
    expect(html).toContain('<span class="btn danger">Commit</span>');
    expect(html).toContain('<div class="b-fields">');
    expect(html).toContain('<hr class="b-divider">');
    expect(html).toContain('<div class="b-context"><span>ASR job <code>job-1</code></span></div>');
    expect(html).toContain('<div class="thread">');
    expect(html).toContain('Only visible to Alice Example');
    expect(html).toContain('<div class="modal-title">Fail back');
    expect(html).toContain('<span class="btn primary">Request</span>');
    expect(html).toContain('<span class="mention">@alice</span>');
  });
});

describe('transcriptFromState', () => {
  it('orders messages, ephemerals and activity as they happened, with current content and replies', () => {
    const ws = new WorkspaceState(
      { teamId: 'T1', teamDomain: 't', appId: 'A1', botUserId: 'U0BOT', botId: 'B1', botName: 'failback-bot' },
      [
        { id: 'U0BOT', name: 'failback-bot', isBot: true },
        { id: 'U0ALICE', name: 'alice', realName: 'Alice Example' },
      ],
      [{ id: 'C1', name: 'incident-42' }],
      {},
    );
    ws.record({ type: 'command', userId: 'U0ALICE', channelId: 'C1', command: '/failback', text: 'status' });
    const card = ws.addMessage({
      channel: 'C1',
      user: 'U0BOT',
      botId: 'B1',
      text: 'v1',
      blocks: [],
      via: 'chat.postMessage',
    });
    ws.addEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'only you', blocks: [], via: 'chat.postEphemeral' });
    ws.addMessage({
      channel: 'C1',
      threadTs: card.ts,
      user: 'U0BOT',
      botId: 'B1',
      text: 'detail',
      blocks: [],
      via: 'chat.postMessage',
    });
    ws.updateMessage(card, { text: 'v2' });

    const { events, users, channels } = transcriptFromState(ws);

    expect(events.map((e) => e.kind)).toEqual(['command', 'message', 'ephemeral']);
    const message = events[1] as Extract<TranscriptEvent, { kind: 'message' }>;
    expect(message.text).toBe('v2');
    expect(message.editCount).toBe(1);
    expect(message.replies.map((r) => r.text)).toEqual(['detail']);
    expect(users.U0ALICE).toBe('alice');
    expect(channels.C1).toBe('incident-42');
    expect(renderTranscriptText(events)).toContain('Alice Example  /failback status');
  });
});
