import type { Message } from '@contextlog/core';
import { quantile } from '../lib/stats.js';
import { PRODUCERS, producersRate } from '../scenarios/concurrent-append.js';

export { PRODUCERS };

export type Append = (message: Message) => Promise<void>;

/**
 * A round (ours and the peer) over 20 s is the only one: repeating a peer that slow only occupies
 * the shared machine, and its ratio is far from the target either way.
 */
const SLOW_ROUND_MS = 20_000;

/** A session a workload opens fresh for each measurement, and what it appends through. */
export interface Opened {
  readonly append: Append;
  close(): Promise<void>;
}

/** How a scenario repeats its measurements: rounds, the messages it appends, where it logs. */
export interface Rounds {
  readonly rounds: number;
  readonly pool: readonly Message[];
  readonly log: (message: string) => void;
}

export interface Pair {
  readonly ours: number;
  readonly peer: number;
  /** The contract's floor (lib/minimal-writer.ts, lib/plain-reader.ts), when measured. */
  readonly floor?: number;
}

/**
 * Alternates ours and the peer (and the floor, if given) `rounds` times, each on a fresh
 * session, and keeps the best rate of each: all see the same noise.
 */
export async function bestRates(
  { rounds, pool, log }: Rounds,
  total: number,
  ours: () => Promise<Opened>,
  peer: () => Promise<Opened>,
  floor?: () => Promise<Opened>,
): Promise<Pair> {
  const best = { ours: 0, peer: 0, floor: 0 };
  for (let round = 1; round <= rounds; round++) {
    const roundStarted = performance.now();
    const rate = async (open: () => Promise<Opened>) => {
      const session = await open();
      try {
        // The concurrent scenario's 64 producers, each awaiting one-message appends: msg/s.
        return await producersRate(session.append, total, pool);
      } finally {
        await session.close();
      }
    };
    const p = await rate(peer);
    const o = await rate(ours);
    const f = floor === undefined ? 0 : await rate(floor);
    const floorNote = floor === undefined ? '' : `, floor ${f.toFixed(0)} msg/s`;
    log(
      `round ${round}/${rounds}: ours ${o.toFixed(0)} msg/s, peer ${p.toFixed(0)} msg/s${floorNote}`,
    );
    best.ours = Math.max(best.ours, o);
    best.peer = Math.max(best.peer, p);
    best.floor = Math.max(best.floor, f);
    if (slow(roundStarted, round, rounds, log)) break;
  }
  return floor === undefined ? { ours: best.ours, peer: best.peer } : best;
}

function slow(started: number, round: number, rounds: number, log: (m: string) => void): boolean {
  if (round === rounds || performance.now() - started <= SLOW_ROUND_MS) return false;
  log(`round ${round} took over ${SLOW_ROUND_MS / 1000} s: no more rounds`);
  return true;
}

/**
 * One producer awaiting each append, ours and the peer sampled in alternating slices (after a
 * warm-up of 20 each, not sampled): p50 latency of each, in µs.
 */
export async function sequentialP50(
  total: number,
  slices: number,
  pool: readonly Message[],
  ours: Opened,
  peer: Opened,
  floor?: Opened,
): Promise<Pair> {
  const samples = { ours: [] as number[], peer: [] as number[], floor: [] as number[] };
  const sides: ['peer' | 'ours' | 'floor', Opened][] = [
    ['peer', peer],
    ['ours', ours],
    ...(floor === undefined ? [] : [['floor', floor] as ['floor', Opened]]),
  ];
  for (let i = 0; i < 20; i++) {
    for (const [, side] of sides) await side.append(pool[i % pool.length] as Message);
  }
  const perSlice = Math.ceil(total / slices);
  for (let slice = 0; slice < slices; slice++) {
    const from = slice * perSlice;
    const to = Math.min(total, from + perSlice);
    for (const [name, side] of sides) {
      for (let i = from; i < to; i++) {
        const message = pool[i % pool.length] as Message;
        const started = performance.now();
        await side.append(message);
        samples[name].push((performance.now() - started) * 1000);
      }
    }
  }
  const p50 = { ours: quantile(samples.ours, 0.5), peer: quantile(samples.peer, 0.5) };
  return floor === undefined ? p50 : { ...p50, floor: quantile(samples.floor, 0.5) };
}

/**
 * Loads (into memory) a session of `count` messages written beforehand, ours and the peer
 * alternately `rounds` times; the fastest of each, in msg/s. Each load returns the message count
 * it holds, checked against `count`.
 */
export async function bestLoads(
  { rounds, log }: Rounds,
  count: number,
  ours: () => Promise<number>,
  peer: () => Promise<number>,
  floor?: () => Promise<number>,
): Promise<Pair> {
  const best = { ours: 0, peer: 0, floor: 0 };
  for (let round = 1; round <= rounds; round++) {
    const roundStarted = performance.now();
    const time = async (load: () => Promise<number>, who: string) => {
      const started = performance.now();
      const loaded = await load();
      const ms = performance.now() - started;
      if (loaded !== count) throw new Error(`${who} loaded ${loaded} messages of ${count}`);
      return (count / ms) * 1000;
    };
    const p = await time(peer, 'the peer');
    const o = await time(ours, 'contextlog');
    const f = floor === undefined ? 0 : await time(floor, 'the floor');
    const floorNote = floor === undefined ? '' : `, floor ${f.toFixed(0)} msg/s`;
    log(
      `load round ${round}/${rounds}: ours ${o.toFixed(0)} msg/s, peer ${p.toFixed(0)} msg/s${floorNote}`,
    );
    best.ours = Math.max(best.ours, o);
    best.peer = Math.max(best.peer, p);
    best.floor = Math.max(best.floor, f);
    if (slow(roundStarted, round, rounds, log)) break;
  }
  return floor === undefined ? { ours: best.ours, peer: best.peer } : best;
}
