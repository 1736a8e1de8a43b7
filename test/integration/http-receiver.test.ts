import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HTTPReceiver } from '@slack/bolt';
import pino from 'pino';
import { slackReceiver } from '../../src/slack/bolt-app';

const log = pino({ level: 'silent' });
const slack = {
  mode: 'http' as const,
  botToken: 'xoxb-test-not-a-secret',
  appToken: undefined,
  signingSecret: 'not-a-secret',
  apiUrl: 'http://127.0.0.1:9/api/',
};

describe('the HTTP receiver (requests served in turn)', () => {
  let receiver: HTTPReceiver;
  let base: string;

  beforeAll(async () => {
    receiver = slackReceiver({ slack, port: 0 } as never, log, [
      { path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') },
    ]) as HTTPReceiver;
    const server = (await receiver.start(0)) as Server;
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => receiver.stop());

  it('answers its own routes, and an unknown path with 404 as Bolt does (not a 500)', async () => {
    const [health, unknown] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/favicon.ico`)]);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    expect(unknown.status).toBe(404);
  });

  it('refuses an unsigned Slack request (401), after the queue as before it', async () => {
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Ffailback&text=',
    });
    expect(res.status).toBe(401);
  });
});
