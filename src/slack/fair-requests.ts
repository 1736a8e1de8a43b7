import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Requests handled per event-loop turn. Measured with bare Bolt under the bench's bursts: 1, 2 and 4
 * all cut the stalls; 2 had the lowest p99.
 */
export const REQUESTS_PER_TURN = 2;

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
 * waits only for those before it.
 */
export function fairRequestListener(
  listener: RequestListener,
  onError: (error: unknown) => void,
  perTurn = REQUESTS_PER_TURN,
): RequestListener {
  const queue: [IncomingMessage, ServerResponse][] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    for (let handled = 0; handled < perTurn && queue.length > 0; handled++) {
      const [req, res] = queue.shift()!;
      try {
        listener(req, res);
      } catch (e) {
        // As the receiver's own server does when its listener throws: a 500, and the next request.
        onError(e);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }
    }
    if (queue.length > 0) schedule();
  };
  const schedule = () => {
    scheduled = true;
    setImmediate(drain);
  };
  return (req, res) => {
    queue.push([req, res]);
    if (!scheduled) schedule();
  };
}
