/** What every peer section of the `peers` scenario shares: targets, sizes, rows, SKIP rows. */
import type { Message } from '@contextlog/core';
import { messagePool } from '../data/messages.js';
import { type BenchContext, compare, type Figure, skip, type Target } from '../scenario.js';
import { type Opened, type Pair, type Rounds, sequentialP50 } from './drive.js';

export const BEST: Target = { atLeast: 1 };
export const DOCS_WAY: Target = { atLeast: 3 };
export const FASTER: Target = { atMost: 1 };
export const NO_SERVER = 'no PostgreSQL server: set CONTEXTLOG_PG_URL';

export interface Sizes {
  readonly rounds: number;
  /** Messages the 64 producers append, per peer (its cost per append decides). */
  readonly sqlite: number;
  readonly langgraph: number;
  readonly emmett: number;
  readonly sequential: number;
  readonly slices: number;
  readonly load: number;
}

/** The rows one peer reports: names and targets, whether measured or skipped. */
export interface RowSpec {
  readonly name: string;
  readonly unit: string;
  readonly target?: Target;
}

export const rounds = (ctx: BenchContext, sizes: Sizes, pool: Message[]): Rounds => ({
  rounds: sizes.rounds,
  pool,
  log: ctx.log,
});

export const skipAll = (rows: readonly RowSpec[], reason: string): Figure[] =>
  rows.map((row) => skip(row.name, row.unit, reason, row.target));

export const loadName = (peer: string, n: number) =>
  `peers: load a ${n.toLocaleString('en')}-message session, contextlog vs ${peer}`;

export const loadMessages = (n: number): Message[] => {
  const pool = messagePool(4096);
  return Array.from({ length: n }, (_, i) => pool[i % pool.length] as Message);
};

/** Sequential p50 on fresh sessions, closed afterwards. */
export async function sequential(
  sizes: Sizes,
  pool: Message[],
  ours: Opened,
  peer: Opened,
  floor?: Opened,
) {
  try {
    return await sequentialP50(sizes.sequential, sizes.slices, pool, ours, peer, floor);
  } finally {
    await ours.close();
    await peer.close();
    await floor?.close();
  }
}

/** The rows, in order, from one measured pair each (ours is the figure, the peer the baseline). */
export function figures(rows: readonly RowSpec[], pairs: readonly Pair[]) {
  if (rows.length !== pairs.length) {
    throw new Error(`${rows.length} rows, ${pairs.length} figures: ${rows[0]?.name ?? ''}`);
  }
  return rows.map((row, i) => {
    const pair = pairs[i] as Pair;
    return compare({ ...row, figure: pair.ours, baseline: pair.peer });
  });
}
