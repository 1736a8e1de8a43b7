import type { AllMiddlewareArgs, App } from '@slack/bolt';

/** Where the bot's listeners register: App's registration methods for the kinds it uses. */
export type Listeners = Pick<App, 'action' | 'view' | 'options' | 'command' | 'event'>;

type Kind = keyof Listeners;
type Handler = (args: AllMiddlewareArgs & Record<string, unknown>) => Promise<void>;
interface Route {
  readonly id: string | RegExp;
  readonly handler: Handler;
}

/**
 * Bolt runs every registered listener's middleware chain for every request — a copy of the request's
 * arguments and a chain of promises each — so the work before and after each ack grows with the
 * number of listeners (the bot has about twenty). The router registers one Bolt listener per kind
 * and finds the listeners for a request by id itself: a command, a click or a submission costs
 * five chains, however many listeners there are. Listeners register on it as on an App, by one id
 * (string or RegExp) and one function; anything else (constraint objects, listener middleware) is
 * refused at registration rather than dropped.
 */
export class ListenerRouter {
  private readonly routes: Record<Kind, Route[]> = { action: [], view: [], options: [], command: [], event: [] };

  /** The registration methods, for the register* functions. */
  readonly listeners: Listeners = {
    action: this.register('action'),
    view: this.register('view'),
    options: this.register('options'),
    command: this.register('command'),
    event: this.register('event'),
  } as unknown as Listeners;

  /** Registers the one Bolt listener per kind that has routes. */
  mount(app: App): void {
    const any = /[\s\S]*/;
    const mounted: Record<Kind, (dispatch: Handler) => void> = {
      command: (d) => app.command(any, d as never),
      action: (d) => app.action(any, d as never),
      view: (d) => app.view(any, d as never),
      options: (d) => app.options(any, d as never),
      event: (d) => app.event(any, d as never),
    };
    for (const kind of Object.keys(this.routes) as Kind[]) {
      if (this.routes[kind].length > 0) mounted[kind]((args) => this.dispatch(kind, args));
    }
  }

  private register(kind: Kind) {
    return (...args: unknown[]): void => {
      const [id, handler] = args;
      if (args.length !== 2 || !(typeof id === 'string' || id instanceof RegExp) || typeof handler !== 'function') {
        throw new TypeError(`ListenerRouter.${kind} takes one id (string or RegExp) and one listener`);
      }
      this.routes[kind].push({ id, handler: handler as Handler });
    };
  }

  /** Every listener whose id matches, at once, as Bolt would run them; errors reach app.error. */
  private async dispatch(kind: Kind, args: AllMiddlewareArgs & Record<string, unknown>): Promise<void> {
    const id = idOf(kind, args);
    if (id === undefined) return;
    const matched = this.routes[kind].filter((r) => (typeof r.id === 'string' ? r.id === id : r.id.test(id)));
    if (matched.length === 1) return matched[0]!.handler(args);
    const results = await Promise.allSettled(matched.map((r) => r.handler(args)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

/** What Bolt would have matched a listener's id against, for each kind. */
function idOf(kind: Kind, args: Record<string, unknown>): string | undefined {
  const field = (o: unknown, key: string) => {
    const v = (o as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'string' ? v : undefined;
  };
  switch (kind) {
    case 'command':
      return field(args.command, 'command');
    case 'action':
      return field(args.action, 'action_id') ?? field(args.action, 'callback_id');
    case 'view':
      return field(args.view, 'callback_id');
    case 'options':
      return field(args.payload, 'action_id') ?? field(args.payload, 'callback_id');
    case 'event':
      return field(args.event, 'type');
  }
}
