import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { StoreClosedError } from '../errors/index.js';
import { createSerializer } from './serializer.js';

const closedError = () => new StoreClosedError();

/** A promise settled from outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('createSerializer', () => {
  test.prop([
    fc.array(
      fc.record({
        delay: fc.integer({ min: 0, max: 3 }),
        outcome: fc.constantFrom('resolve', 'reject', 'throw'),
        sync: fc.boolean(),
      }),
      { maxLength: 20 },
    ),
  ])(
    'runs tasks one at a time in call order, each caller getting its own outcome',
    async (tasks) => {
      const serializer = createSerializer({ closedError });
      const started: number[] = [];
      let running = 0;
      let overlap = false;
      const calls = tasks.map(({ delay, outcome, sync }, index) =>
        serializer
          .run(async () => {
            started.push(index);
            if (running > 0) overlap = true;
            running++;
            try {
              if (!sync) for (let i = 0; i < delay; i++) await tick();
              if (outcome === 'resolve') return index;
              throw new Error(`task ${index}`);
            } finally {
              running--;
            }
          })
          .then(
            (value) => ({ ok: true as const, value }),
            (error: Error) => ({ ok: false as const, value: error.message }),
          ),
      );
      const outcomes = await Promise.all(calls);
      expect(overlap).toBe(false);
      expect(started).toEqual(tasks.map((_, index) => index));
      expect(outcomes).toEqual(
        tasks.map(({ outcome }, index) =>
          outcome === 'resolve'
            ? { ok: true, value: index }
            : { ok: false, value: `task ${index}` },
        ),
      );
    },
  );

  it('starts a task only once the previous one settled, rejected or not', async () => {
    const serializer = createSerializer({ closedError });
    const first = deferred();
    const log: string[] = [];
    const one = serializer.run(() => first.promise);
    const two = serializer.run(() => {
      log.push('second started');
    });
    await tick();
    expect(log).toEqual([]);
    first.reject(new Error('first failed'));
    await expect(one).rejects.toThrow('first failed');
    await two;
    expect(log).toEqual(['second started']);
  });

  it('keeps going after a task that throws synchronously', async () => {
    const serializer = createSerializer({ closedError });
    const failing = serializer.run(() => {
      throw new Error('sync');
    });
    await expect(failing).rejects.toThrow('sync');
    await expect(serializer.run(() => 42)).resolves.toBe(42);
  });

  it('starts a task at once when nothing runs, and hands back its own promise', () => {
    const serializer = createSerializer({ closedError });
    let started = false;
    const own = Promise.resolve('x');
    const result = serializer.run(() => {
      started = true;
      return own;
    });
    expect(started).toBe(true);
    expect(result).toBe(own);
  });

  it('makes a call from inside a running task wait for that task', async () => {
    const serializer = createSerializer({ closedError });
    const log: string[] = [];
    let inner: Promise<void> | undefined;
    await serializer.run(async () => {
      inner = serializer.run(() => {
        log.push('inner');
      });
      await tick();
      log.push('outer done');
    });
    await inner;
    expect(log).toEqual(['outer done', 'inner']);
  });

  it('close() runs what was queued before it, then `last`, and refuses later calls', async () => {
    const serializer = createSerializer({ closedError });
    const gate = deferred();
    const log: string[] = [];
    const before = [
      serializer.run(async () => {
        await gate.promise;
        log.push('a');
      }),
      serializer.run(() => {
        log.push('b');
      }),
    ];
    const closed = serializer.close(async () => {
      log.push('last');
    });
    expect(serializer.close()).toBe(closed);
    await expect(serializer.run(() => log.push('late'))).rejects.toBeInstanceOf(StoreClosedError);
    await expect(serializer.acquire()).rejects.toBeInstanceOf(StoreClosedError);
    gate.resolve();
    await Promise.all(before);
    await closed;
    expect(log).toEqual(['a', 'b', 'last']);
  });

  it('close() called from inside a task settles once that task and those queued have', async () => {
    const serializer = createSerializer({ closedError });
    const log: string[] = [];
    let closed: Promise<void> | undefined;
    const queued = serializer.run(async () => {
      closed = serializer.close(async () => {
        log.push('last');
      });
      await tick();
      log.push('task');
    });
    await queued;
    await closed;
    expect(log).toEqual(['task', 'last']);
  });

  it('runs ten thousand waiting tasks in call order', async () => {
    const serializer = createSerializer({ closedError });
    const order: number[] = [];
    const calls = Array.from({ length: 10_000 }, (_, index) =>
      serializer.run(async () => {
        order.push(index);
      }),
    );
    await Promise.all(calls);
    expect(order).toEqual(calls.map((_, index) => index));
  });

  it('close() rejects as `last` does', async () => {
    const serializer = createSerializer({ closedError });
    await expect(serializer.close(() => Promise.reject(new Error('close failed')))).rejects.toThrow(
      'close failed',
    );
  });

  it('acquire() holds the turn until released; releasing twice changes nothing', async () => {
    const serializer = createSerializer({ closedError });
    const release = await serializer.acquire();
    const log: string[] = [];
    const next = serializer.run(() => {
      log.push('next');
    });
    const waiting = serializer.acquire();
    await tick();
    expect(log).toEqual([]);
    release();
    release();
    await next;
    expect(log).toEqual(['next']);
    const again = await waiting;
    const after = serializer.run(() => {
      log.push('after');
    });
    await tick();
    expect(log).toEqual(['next']);
    again();
    await after;
    expect(log).toEqual(['next', 'after']);
  });
});
