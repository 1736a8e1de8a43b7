import { Semaphore } from '../../src/domain/semaphore';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Semaphore', () => {
  it('runs at most `max` reads at once and starts the waiting ones in order as slots free', async () => {
    const slots = new Semaphore(2);
    const gates = [deferred<number>(), deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      slots.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.inUse).toBe(2);
    gates[1]!.resolve(1);
    await results[1];
    await new Promise<void>((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.reject(new Error('ARM said no'));
    await expect(results[0]).rejects.toThrow('ARM said no');
    await new Promise<void>((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.resolve(2);
    gates[3]!.resolve(3);
    await expect(Promise.all([results[2], results[3]])).resolves.toEqual([2, 3]);
    expect(slots.inUse).toBe(0);
  });

  it('refuses a size without a slot', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
