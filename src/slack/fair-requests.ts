import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Requests handled per event-loop turn. Measured with bare Bolt under the bench's bursts: 1, 2 and 4
 * all cut the stalls; 2 had the lowest p99.
 */
export const REQUESTS_PER_TURN = 2;

/**
 * The longest a request waits in the queue before it is turned away (503): Slack gives up at 3 s, and
 * a view submission's answer budget (ANSWER_BUDGET_MS, 2 s) counts from when its listener starts, so a
 * request handled after waiting longer could record a decision Slack already told the person failed.
 * Only an overloaded process gets there: a burst of fifty waits a few milliseconds.
 */
export const MAX_QUEUE_WAIT_MS = 900;

/** Requests queued at most; more are turned away at once (a flood must not grow the heap). */
export const MAX_QUEUED = 1_000;

export interface FairRequestOptions {
  /** Answers a request its listener threw on (the receiver's own error handler: a 404 for an unknown path). */
  readonly onError: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
  /** Told how many requests were turned away (503), at most once per turn. */
  readonly onShed: (count: number) => void;
  readonly now?: () => number;
  readonly perTurn?: number;
  readonly maxWaitMs?: number;
  readonly maxQueued?: number;
}

interface Queued {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly at: number;
}

/**
 * Wraps an HTTP request listener so that Slack's requests are handled first come, first served, a few
 * per event-loop turn, instead of all those read in a turn at once.
 *
 * Node accepts one new connection per event-loop turn (libuv/libuv#3696, "don't accept() connections
 * in a loop", in Node 20's libuv). When a burst of /failback arrives on new connections — fifty
 * responders, an ingress opening upstream connections — a turn that handles every request already
 * read on the accepted connections grows long, and the connections still waiting to be accepted wait
 * for many such turns: the bench saw a burst's last connections acked after 200–400 ms while the rest
 * took 10, in both the bot and a bare Bolt app. Queued and handled a few per turn, each turn stays
 * short, new connections are accepted while the burst is served, and a late connection's request
 * waits only for those before it. A request that waited too long, or finds the queue full, is turned
 * away before anything reads it.
 */
export function fairRequestListener(listener: RequestListener, options: FairRequestOptions): RequestListener {
  const now = options.now ?? Date.now;
  const perTurn = options.perTurn ?? REQUESTS_PER_TURN;
  const maxWaitMs = options.maxWaitMs ?? MAX_QUEUE_WAIT_MS;
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  const queue: Queued[] = [];
  let scheduled = false;
  let shed = 0;

  const handle = ({ req, res }: Queued) => {
    try {
      listener(req, res);
    } catch (e) {
      try {
        options.onError(e, req, res);
      } catch {
        answer(res, 500);
      }
    }
  };
  const drain = () => {
    scheduled = false;
    const oldest = now() - maxWaitMs;
    while (queue.length > 0 && queue[0]!.at < oldest) {
      answer(queue.shift()!.res, 503);
      shed += 1;
    }
    for (let handled = 0; handled < perTurn && queue.length > 0; handled++) handle(queue.shift()!);
    if (queue.length > 0) schedule();
    if (shed > 0) {
      const count = shed;
      shed = 0;
      options.onShed(count);
    }
  };
  const schedule = () => {
    scheduled = true;
    setImmediate(drain);
  };
  return (req, res) => {
    if (queue.length >= maxQueued) {
      answer(res, 503);
      shed += 1;
    } else queue.push({ req, res, at: now() });
    if (!scheduled) schedule();
  };
}

/** An answer without a body, whatever state the socket is in. */
function answer(res: ServerResponse, status: number): void {
  try {
    if (!res.headersSent) res.writeHead(status, status === 503 ? { 'retry-after': '1' } : {});
    res.end();
  } catch {
    res.destroy();
  }
}
