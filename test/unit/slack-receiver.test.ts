import pino from 'pino';
import { slackReceiver } from '../../src/slack/bolt-app';

const log = pino({ level: 'silent' });
const slack = (apiUrl: string) => ({
  mode: 'socket' as const,
  botToken: 'xoxb-test-not-a-secret',
  appToken: 'xapp-test-not-a-secret',
  signingSecret: undefined,
  apiUrl,
});

describe('the Socket Mode receiver', () => {
  it('opens its connection on SLACK_API_URL (GovSlack), not on the commercial host', () => {
    const receiver = slackReceiver({ slack: slack('https://slack-gov.com/api/'), port: 0 } as never, log, []);
    // apps.connections.open is called by the Socket Mode client's own Web API client.
    const webClient = (receiver as unknown as { client: { webClient: { slackApiUrl: string } } }).client.webClient;
    expect(webClient.slackApiUrl).toBe('https://slack-gov.com/api/');
  });
});
