import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_MS, drive } from './drive.js';

/** A scheduler as fast-check gives one to a property (it releases tasks in a random order). */
const makeScheduler = () => fc.sample(fc.scheduler(), { numRuns: 1, seed: 7 })[0] as fc.Scheduler;
const quiet = { busy: () => false, progress: () => 0 };
const settleAfter = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('drive', () => {
  it('waits for work the scheduler cannot see, up to idleMs', async () => {
    const scheduler = makeScheduler();
    const driven = await drive(scheduler, settleAfter(60, 'done'), { ...quiet, idleMs: 500 });
    expect(driven).toEqual({ settled: true, ok: true, value: 'done' });
  });

  it('gives up on a promise that never settles once idleMs passed with nothing scheduled', async () => {
    const scheduler = makeScheduler();
    const started = performance.now();
    const driven = await drive(scheduler, new Promise<never>(() => {}), { ...quiet, idleMs: 80 });
    const waited = performance.now() - started;
    expect(driven).toEqual({ settled: false });
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(waited).toBeLessThan(1000);
  });

  it('does not count quiet time while store I/O runs or progress is made', async () => {
    const scheduler = makeScheduler();
    let steps = 0;
    const ticking = setInterval(() => steps++, 10);
    try {
      // Silent for 200 ms in all but progress: with idleMs 50 it must still wait.
      const driven = await drive(scheduler, settleAfter(200, 1), {
        busy: () => false,
        progress: () => steps,
        idleMs: 50,
      });
      expect(driven.settled).toBe(true);
    } finally {
      clearInterval(ticking);
    }
    let io = true;
    setTimeout(() => {
      io = false;
    }, 150);
    const driven = await drive(makeScheduler(), settleAfter(200, 2), {
      busy: () => io,
      progress: () => 0,
      idleMs: 100,
    });
    expect(driven.settled).toBe(true);
  });

  it('releases scheduled tasks until the promise settles', async () => {
    const scheduler = makeScheduler();
    const work = scheduler.schedule(Promise.resolve('a')).then(async (first) => {
      const second = await scheduler.schedule(Promise.resolve('b'));
      return first + second;
    });
    expect(await drive(scheduler, work, quiet)).toEqual({ settled: true, ok: true, value: 'ab' });
  });

  it('defaults to an idle time long enough for real engines under load', () => {
    expect(DEFAULT_IDLE_MS).toBe(2000);
  });
});
