import type { IncomingMessage, ServerResponse } from 'node:http';
import { fairRequestListener } from '../../src/slack/fair-requests';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function request(n: number) {
  const res = { headersSent: false, status: 0, ended: false } as {
    headersSent: boolean;
    status: number;
    ended: boolean;
    writeHead(status: number): void;
    end(): void;
  };
  res.writeHead = (status) => {
    res.status = status;
    res.headersSent = true;
  };
  res.end = () => {
    res.ended = true;
  };
  return [{ url: `/r${n}` } as IncomingMessage, res as unknown as ServerResponse, res] as const;
}

describe('fairRequestListener (a burst served in turn, a few requests per event-loop turn)', () => {
  it('hands requests on first come, first served, at most `perTurn` in one turn, until none is left', async () => {
    const handled: string[] = [];
    const listener = fairRequestListener(
      (req) => handled.push(req.url ?? ''),
      () => undefined,
      2,
    );
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

  it('answers 500 to a request its listener throws on, and goes on with the next', async () => {
    const errors: unknown[] = [];
    const handled: string[] = [];
    const listener = fairRequestListener(
      (req) => {
        if (req.url === '/r1') throw new Error('listener failed');
        handled.push(req.url ?? '');
      },
      (e) => errors.push(e),
      2,
    );
    const [req1, res1, state1] = request(1);
    const [req2, res2] = request(2);
    listener(req1, res1);
    listener(req2, res2);
    await nextTurn();
    expect(state1).toMatchObject({ status: 500, ended: true });
    expect(errors).toHaveLength(1);
    expect(handled).toEqual(['/r2']);
  });
});
