import type { IncomingMessage, ServerResponse } from 'node:http';
import { fairRequestListener, type FairRequestOptions } from '../../src/slack/fair-requests';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface FakeResponse {
  headersSent: boolean;
  status: number;
  ended: boolean;
}

function request(n: number): [IncomingMessage, ServerResponse, FakeResponse] {
  const state: FakeResponse = { headersSent: false, status: 0, ended: false };
  const res = {
    get headersSent() {
      return state.headersSent;
    },
    writeHead(status: number) {
      state.status = status;
      state.headersSent = true;
      return res;
    },
    end() {
      state.ended = true;
    },
    destroy() {
      state.ended = true;
    },
  };
  return [{ url: `/r${n}` } as IncomingMessage, res as unknown as ServerResponse, state];
}

const quiet: FairRequestOptions = { onError: () => undefined, onShed: () => undefined, perTurn: 2 };

describe('fairRequestListener (a burst served in turn, a few requests per event-loop turn)', () => {
  it('hands requests on first come, first served, at most `perTurn` in one turn, until none is left', async () => {
    const handled: string[] = [];
    const listener = fairRequestListener((req) => handled.push(req.url ?? ''), quiet);
    for (let n = 1; n <= 5; n++) listener(...(request(n).slice(0, 2) as [IncomingMessage, ServerResponse]));
    expect(handled).toEqual([]); // nothing in the turn that read them
    await nextTurn();
    expect(handled).toEqual(['/r1', '/r2']);
    await nextTurn();
    expect(handled).toEqual(['/r1', '/r2', '/r3', '/r4']);
    await nextTurn();
    expect(handled).toEqual(['/r1', '/r2', '/r3', '/r4', '/r5']);
    // A request arriving later is handled in the next turn again.
    listener(...(request(6).slice(0, 2) as [IncomingMessage, ServerResponse]));
    await nextTurn();
    expect(handled.at(-1)).toBe('/r6');
  });

  it('gives what the listener throws to onError with the request, and goes on with the next', async () => {
    const errors: [unknown, string | undefined][] = [];
    const handled: string[] = [];
    const listener = fairRequestListener(
      (req) => {
        if (req.url === '/r1') throw new Error('unknown path');
        handled.push(req.url ?? '');
      },
      { ...quiet, onError: (e, req, res) => (errors.push([e, req.url]), res.writeHead(404), res.end()) },
    );
    const [req1, res1, state1] = request(1);
    const [req2, res2] = request(2);
    listener(req1, res1);
    listener(req2, res2);
    await nextTurn();
    expect(state1).toMatchObject({ status: 404, ended: true });
    expect(errors).toEqual([[new Error('unknown path'), '/r1']]);
    expect(handled).toEqual(['/r2']);
  });

  it('answers 500 when onError itself throws, and the queue still drains', async () => {
    const handled: string[] = [];
    const listener = fairRequestListener(
      (req) => {
        if (req.url === '/r1') throw new Error('listener failed');
        handled.push(req.url ?? '');
      },
      {
        ...quiet,
        perTurn: 1,
        onError: () => {
          throw new Error('handler failed too');
        },
      },
    );
    const [req1, res1, state1] = request(1);
    listener(req1, res1);
    listener(...(request(2).slice(0, 2) as [IncomingMessage, ServerResponse]));
    await nextTurn();
    expect(state1).toMatchObject({ status: 500, ended: true });
    await nextTurn();
    expect(handled).toEqual(['/r2']);
  });

  it('turns away (503) what waited longer than maxWaitMs and what finds the queue full, and says how many', async () => {
    let clock = 1_000;
    const shed: number[] = [];
    const handled: string[] = [];
    const listener = fairRequestListener((req) => handled.push(req.url ?? ''), {
      ...quiet,
      now: () => clock,
      maxWaitMs: 900,
      maxQueued: 3,
      onShed: (count) => shed.push(count),
    });
    const states = [1, 2, 3, 4].map((n) => {
      const [req, res, state] = request(n);
      listener(req, res);
      return state;
    });
    expect(states[3]).toMatchObject({ status: 503, ended: true }); // the queue held three
    clock += 901; // the three queued waited too long
    await nextTurn();
    expect(handled).toEqual([]);
    expect(states.slice(0, 3).map((s) => s.status)).toEqual([503, 503, 503]);
    expect(shed).toEqual([4]);
    // A request in time is handled as ever.
    listener(...(request(5).slice(0, 2) as [IncomingMessage, ServerResponse]));
    await nextTurn();
    expect(handled).toEqual(['/r5']);
  });
});
