import type { ChildResult } from '../child.js';

export interface Paired {
  /** Fastest run of each: the one least disturbed by other work on the machine. */
  readonly ours: ChildResult;
  readonly baseline: ChildResult;
  /** Highest peak RSS over our runs. */
  readonly oursMaxRssBytes: number;
  readonly baselineMaxRssBytes: number;
  /** Fastest run of the floor, when one was given. */
  readonly floor: ChildResult | undefined;
}

/** A run this slow is far from any target: repeating it only occupies the shared machine. */
const SLOW_MS = 10_000;

/**
 * Runs ours and the baseline (and the floor, if given) alternately `rounds` times, so all see the
 * same noise, and keeps the fastest run of each, and the highest peak RSS of ours and the
 * baseline. When our run takes over 10 s, the first round is the only one.
 */
export async function alternate(
  rounds: number,
  baseline: () => Promise<ChildResult>,
  ours: () => Promise<ChildResult>,
  log: (message: string) => void,
  floor?: () => Promise<ChildResult>,
): Promise<Paired> {
  const base: ChildResult[] = [];
  const mine: ChildResult[] = [];
  const floors: ChildResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const b = await baseline();
    const o = await ours();
    const f = await floor?.();
    if (f !== undefined) floors.push(f);
    const floorNote = f === undefined ? '' : `, floor ${f.ms.toFixed(0)} ms`;
    log(
      `round ${round}/${rounds}: baseline ${b.ms.toFixed(0)} ms, ours ${o.ms.toFixed(0)} ms${floorNote}`,
    );
    base.push(b);
    mine.push(o);
    if (o.ms > SLOW_MS && round < rounds) {
      log(`ours took over ${SLOW_MS / 1000} s: one round only`);
      break;
    }
  }
  const fastest = (runs: ChildResult[]) =>
    runs.reduce((best, run) => (run.ms < best.ms ? run : best));
  const peak = (runs: ChildResult[]) => Math.max(...runs.map((run) => run.maxRssBytes));
  return {
    ours: fastest(mine),
    baseline: fastest(base),
    oursMaxRssBytes: peak(mine),
    baselineMaxRssBytes: peak(base),
    floor: floors.length === 0 ? undefined : fastest(floors),
  };
}

export const MB = 1_000_000;

/** "100 MB", "1 GB", "2 MB": a file size as a scenario name shows it. */
export function sizeLabel(bytes: number): string {
  return bytes >= 1e9 ? `${Math.round(bytes / 1e9)} GB` : `${Math.round(bytes / MB)} MB`;
}
