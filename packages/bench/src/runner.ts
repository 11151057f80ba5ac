import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchContext, Figure, Scenario } from './scenario.js';

export interface RunOptions {
  readonly quick: boolean;
  readonly large: boolean;
  readonly log: (message: string) => void;
}

export interface ScenarioFailure {
  readonly scenario: string;
  readonly error: string;
}

export interface RunResult {
  readonly figures: Figure[];
  readonly failures: ScenarioFailure[];
}

let currentTmpDir: string | undefined;

/** Removes the running scenario's temp dir: for a run interrupted by a signal. */
export function removeCurrentTmpDir(): void {
  if (currentTmpDir !== undefined) fs.rmSync(currentTmpDir, { recursive: true, force: true });
}

/**
 * Runs the scenarios one after the other, each in a fresh temp dir that is removed afterwards. A
 * scenario that throws is reported as a failure and the others still run.
 */
export async function runScenarios(
  scenarios: readonly Scenario[],
  options: RunOptions,
): Promise<RunResult> {
  const figures: Figure[] = [];
  const failures: ScenarioFailure[] = [];
  for (const scenario of scenarios) {
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `contextlog-bench-${scenario.id}-`));
    currentTmpDir = tmpDir;
    const ctx: BenchContext = {
      quick: options.quick,
      large: options.large,
      tmpDir,
      size: (full, quick) => (options.quick ? quick : full),
      log: (message) => options.log(`[${scenario.id}] ${message}`),
    };
    const started = performance.now();
    options.log(`[${scenario.id}] ${scenario.title}`);
    try {
      figures.push(...(await scenario.run(ctx)));
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ scenario: scenario.id, error: text });
      options.log(`[${scenario.id}] FAILED: ${text}`);
    } finally {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      currentTmpDir = undefined;
    }
    options.log(`[${scenario.id}] done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { figures, failures };
}
