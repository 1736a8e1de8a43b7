import type { App } from '@slack/bolt';
import { ListenerRouter } from '../../src/slack/listener-router';

/** Stands in for Bolt's App: records the one listener per kind the router mounts. */
function fakeApp() {
  const mounted: Record<string, { matcher: unknown; listener: (args: unknown) => Promise<void> }[]> = {};
  const record = (kind: string) => (matcher: unknown, listener: (args: unknown) => Promise<void>) => {
    (mounted[kind] ??= []).push({ matcher, listener });
  };
  const app = {
    command: record('command'),
    action: record('action'),
    view: record('view'),
    options: record('options'),
    event: record('event'),
  } as unknown as App;
  const deliver = (kind: string, args: Record<string, unknown>) => mounted[kind]![0]!.listener(args);
  return { app, mounted, deliver };
}

describe('ListenerRouter', () => {
  it('mounts one Bolt listener per kind in use, however many listeners register', () => {
    const router = new ListenerRouter();
    for (let i = 0; i < 10; i++) router.listeners.action(`button_${i}`, async () => undefined);
    router.listeners.command('/failback', async () => undefined);
    const { app, mounted } = fakeApp();
    router.mount(app);
    expect(Object.keys(mounted).sort()).toEqual(['action', 'command']);
    expect(mounted.action).toHaveLength(1);
  });

  it('runs the listener whose id matches, by string or RegExp, and no other', async () => {
    const router = new ListenerRouter();
    const seen: string[] = [];
    router.listeners.action('commit', async () => void seen.push('commit'));
    router.listeners.action(/^reprotect_/, async () => void seen.push('reprotect'));
    router.listeners.options('commit', async () => void seen.push('options commit'));
    router.listeners.view('failback_request', async () => void seen.push('view'));
    router.listeners.event('app_home_opened', async () => void seen.push('home'));
    const { app, deliver } = fakeApp();
    router.mount(app);
    await deliver('action', { action: { action_id: 'reprotect_vm_3' } });
    await deliver('action', { action: { action_id: 'commit' } });
    await deliver('action', { action: { action_id: 'unknown' } });
    await deliver('view', { view: { callback_id: 'failback_request' } });
    await deliver('event', { event: { type: 'app_home_opened' } });
    expect(seen).toEqual(['reprotect', 'commit', 'view', 'home']);
  });

  it('runs every listener that matches, as Bolt does, and passes a failure on to app.error', async () => {
    const router = new ListenerRouter();
    const seen: string[] = [];
    router.listeners.command('/failback', async () => void seen.push('first'));
    router.listeners.command(/^\/fail/, async () => {
      seen.push('second');
      throw new Error('listener failed');
    });
    const { app, deliver } = fakeApp();
    router.mount(app);
    await expect(deliver('command', { command: { command: '/failback' } })).rejects.toThrow('listener failed');
    expect(seen).toEqual(['first', 'second']);
  });

  it('refuses what it would otherwise drop: constraint objects and listener middleware', () => {
    const { listeners } = new ListenerRouter();
    expect(() => listeners.action({ block_id: 'b' }, async () => undefined)).toThrow(/one id/);
    expect(() =>
      listeners.view(
        'v',
        async () => undefined,
        async () => undefined,
      ),
    ).toThrow(/one id/);
  });
});
