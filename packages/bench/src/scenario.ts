/**
 * The scenario interface. To add a scenario (say `src/scenarios/postgres.ts`):
 *
 * ```ts
 * export const postgresScenario: Scenario = {
 *   id: 'postgres',
 *   title: '64 producers on one PostgreSQL session; 16 sessions in parallel',
 *   async run(ctx) {
 *     const n = ctx.size(50_000, 2_000); // full size, --quick size
 *     const file = path.join(ctx.tmpDir, 'baseline.jsonl'); // ctx.tmpDir is fresh, removed after
 *     ctx.log(`writing ${n} messages`); // progress goes to stderr
 *     const ours = await measureOurs(n);
 *     const base = await measureBaseline(n); // every baseline is measured in the same run
 *     return [compare({ name: 'postgres 64 producers', unit: 'msg/s', figure: ours, baseline: base,
 *       target: { atLeast: 0.25 } })];
 *   },
 * };
 * ```
 * then add one line to `SCENARIOS` in `src/registry.ts`. `--quick` must keep a scenario to seconds
 * (it runs in CI, where only the shape of the output is checked, never the figures).
 */

/** A target on `ratio = figure / baseline`: at least or at most that many times the baseline. */
export type Target = { readonly atLeast: number } | { readonly atMost: number };

/** SKIP: the figure could not be measured here (a peer not installed, no server); `note` says why. */
export type Status = 'PASS' | 'MISS' | 'INFO' | 'SKIP';

/** One row of the report: the shape `--json` prints. */
export interface Figure {
  readonly name: string;
  readonly figure: number;
  readonly unit: string;
  /** Measured in the same run, in the same unit as `figure`. */
  readonly baseline: number;
  /** figure / baseline. */
  readonly ratio: number;
  /** `">= 0.5"` or `"<= 1.5"` (a bound on the ratio); null for a figure shown for context only. */
  readonly target: string | null;
  /** PASS or MISS against the target; INFO when the figure has no target of its own. */
  readonly status: Status;
  /** Why a row is SKIP (then figure, baseline and ratio are NaN, `null` in JSON), or a remark. */
  readonly note?: string;
}

export interface BenchContext {
  /** Small sizes: the whole run takes seconds. */
  readonly quick: boolean;
  /** `--large`: scenarios add their largest sizes (the 1 GB replay). */
  readonly large: boolean;
  /** A fresh directory for this scenario, removed when it ends. */
  readonly tmpDir: string;
  /** `full` normally, `quick` under `--quick`. */
  size(full: number, quick: number): number;
  /** Progress, to stderr. */
  log(message: string): void;
}

export interface Scenario {
  /** Short id for `--only` (e.g. `replay`). */
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<readonly Figure[]>;
}

export interface CompareInput {
  readonly name: string;
  readonly unit: string;
  readonly figure: number;
  readonly baseline: number;
  /** Omit for a figure reported for context, without a target (status INFO). */
  readonly target?: Target;
}

export function compare({ name, unit, figure, baseline, target }: CompareInput): Figure {
  const ratio = baseline === 0 ? Number.NaN : figure / baseline;
  if (target === undefined) {
    return { name, figure, unit, baseline, ratio, target: null, status: 'INFO' };
  }
  if ('atLeast' in target) {
    const status = ratio >= target.atLeast ? 'PASS' : 'MISS';
    return { name, figure, unit, baseline, ratio, target: `>= ${target.atLeast}`, status };
  }
  const status = ratio <= target.atMost ? 'PASS' : 'MISS';
  return { name, figure, unit, baseline, ratio, target: `<= ${target.atMost}`, status };
}

/** A row that could not be measured in this run: its target still shows, with the reason. */
export function skip(name: string, unit: string, reason: string, target?: Target): Figure {
  const bound =
    target === undefined
      ? null
      : 'atLeast' in target
        ? `>= ${target.atLeast}`
        : `<= ${target.atMost}`;
  const nan = Number.NaN;
  return {
    name,
    figure: nan,
    unit,
    baseline: nan,
    ratio: nan,
    target: bound,
    status: 'SKIP',
    note: reason,
  };
}
