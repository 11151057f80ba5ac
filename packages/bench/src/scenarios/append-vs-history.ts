import { createContext, type Message, openMemoryStore, type StoredEvent } from '@contextlog/core';
import { messagePool } from '../data/messages.js';
import { mean, median } from '../lib/stats.js';
import { compare, type Figure, type Scenario } from '../scenario.js';

const EVENT_SIZE = 1000; // messages per stored event of the prefilled history

function historyEvents(messages: number, pool: readonly Message[]): StoredEvent[] {
  const events: StoredEvent[] = [];
  const at = new Date('2026-01-01T00:00:00.000Z').toISOString();
  for (let done = 0; done < messages; done += EVENT_SIZE) {
    const batch: Message[] = [];
    for (let i = done; i < Math.min(messages, done + EVENT_SIZE); i++) {
      batch.push(pool[i % pool.length] as Message);
    }
    events.push({
      seq: events.length + 1,
      type: 'messages.appended',
      v: 1,
      at,
      data: { messages: batch },
    });
  }
  return events;
}

/**
 * Time of one `appendMessages` (one message, awaited) on an engine whose memory store already
 * holds `size` messages: the per-append median and the mean over the timed appends (the mean
 * includes what garbage collection costs at that heap size).
 */
async function appendCost(
  size: number,
  pool: readonly Message[],
  appends: number,
): Promise<{ median: number; mean: number }> {
  const store = await openMemoryStore({ events: historyEvents(size, pool) });
  const engine = await createContext(store);
  try {
    const warmup = Math.min(1000, appends);
    for (let i = 0; i < warmup; i++) await engine.appendMessages(pool[i % pool.length] as Message);
    const samples: number[] = [];
    for (let i = 0; i < appends; i++) {
      const message = pool[(size + i) % pool.length] as Message;
      const started = performance.now();
      await engine.appendMessages(message);
      samples.push((performance.now() - started) * 1000);
    }
    return { median: median(samples), mean: mean(samples) };
  } finally {
    await engine.close();
  }
}

export const appendVsHistoryScenario: Scenario = {
  id: 'history',
  title: 'append cost against history size (memory store)',
  async run(ctx) {
    const sizes = ctx.quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
    const appends = ctx.size(5_000, 500);
    const pool = messagePool(4096);
    // A discarded first pass, so the JIT's warm-up is not charged to the smallest history.
    await appendCost(sizes[0] as number, pool, Math.max(appends, 5_000));
    const costs: { size: number; median: number; mean: number }[] = [];
    for (const size of sizes) {
      ctx.log(`history ${size.toLocaleString('en')} messages: ${appends} appends`);
      costs.push({ size, ...(await appendCost(size, pool, appends)) });
    }
    const [base, ...rest] = costs;
    if (base === undefined) return [];
    // The spec's target is on 100k (10k under --quick, which has no 100k); the other sizes are
    // shown against the same bound for context.
    const targeted = ctx.quick ? 10_000 : 100_000;
    const figures: Figure[] = [];
    for (const cost of rest) {
      const label = cost.size.toLocaleString('en');
      figures.push(
        compare({
          name: `append at ${label} msgs vs 1,000 (median)`,
          unit: 'µs',
          figure: cost.median,
          baseline: base.median,
          ...(cost.size === targeted ? { target: { atMost: 2 } } : {}),
        }),
        compare({
          name: `append at ${label} msgs vs 1,000 (mean)`,
          unit: 'µs',
          figure: cost.mean,
          baseline: base.mean,
        }),
      );
    }
    return figures;
  },
};
