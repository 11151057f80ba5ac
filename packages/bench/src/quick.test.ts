import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

// Runs the built bench (`tsc -b` first, as `pnpm test` does) on its small sizes, so the benchmark
// code cannot rot. Only the output's shape is checked: figures on a shared CI machine mean nothing.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const benchDirs = () =>
  new Set(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('contextlog-bench-')));

test('pnpm bench --quick --json prints one report of every scenario and cleans up', () => {
  const before = benchDirs();
  const run = spawnSync(process.execPath, [MAIN, '--quick', '--json'], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(run.stderr).not.toContain('FAILED');
  expect(run.status).toBe(0);

  const report = JSON.parse(run.stdout) as Record<string, unknown>;
  expect(Object.keys(report).sort()).toEqual(['machine', 'scenarios']);
  expect(report.machine).toMatchObject({
    cpu: expect.any(String),
    cores: expect.any(Number),
    memoryGiB: expect.any(Number),
    node: process.version,
    disk: { tmpDir: expect.any(String), device: expect.any(String), fsType: expect.any(String) },
    loadAverage: expect.any(Array),
    mode: 'quick',
  });

  const rows = report.scenarios as Record<string, unknown>[];
  for (const row of rows) {
    // A SKIP row (a peer not installed, no server) says why; NaN figures are null in JSON.
    if (row.status === 'SKIP') {
      expect(Object.keys(row).sort()).toEqual(
        ['baseline', 'figure', 'name', 'note', 'ratio', 'status', 'target', 'unit'].sort(),
      );
      expect(row.note).toEqual(expect.any(String));
      expect([row.figure, row.baseline, row.ratio]).toEqual([null, null, null]);
      continue;
    }
    expect(Object.keys(row).sort()).toEqual(
      ['baseline', 'figure', 'name', 'ratio', 'status', 'target', 'unit'].sort(),
    );
    expect(row).toMatchObject({ name: expect.any(String), unit: expect.any(String) });
    expect(Number.isFinite(row.figure)).toBe(true);
    expect(Number.isFinite(row.baseline)).toBe(true);
    expect(row.ratio).toBeCloseTo((row.figure as number) / (row.baseline as number), 9);
    if (row.target === null) expect(row.status).toBe('INFO');
    else {
      expect(row.target).toMatch(/^(>=|<=) \d+(\.\d+)?$/);
      expect(['PASS', 'MISS']).toContain(row.status);
    }
  }
  // Every scenario of issues 7 and 18 reports its targeted figures.
  const targeted = rows.filter((row) => row.target !== null).map((row) => row.name as string);
  for (const pattern of [
    /producers, fsync: vs contract floor/,
    /vs naive/,
    /p50 latency vs contract floor/,
    /^replay .* vs the floor/,
    /peak RSS/,
    /append at/,
    /kimi-cli import/,
    /^peers: /,
    /^snapshot .* vs replay --json: peak RSS/,
  ]) {
    expect(targeted.some((name) => pattern.test(name))).toBe(true);
  }
  // Progress went to stderr, and every temp dir is gone.
  expect(run.stderr).toContain('[replay]');
  expect([...benchDirs()].filter((name) => !before.has(name))).toEqual([]);
}, 300_000);

test('an unknown flag is a usage error, not a run', () => {
  const run = spawnSync(process.execPath, [MAIN, '--quikc'], { encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('unknown argument: --quikc');
  expect(run.stdout).toBe('');
});
