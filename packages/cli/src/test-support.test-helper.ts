// Helpers for the tests that run the built `contextlog` bin as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as fileTest } from '@contextlog/fs-adapter/testing/vitest';
import { expect } from 'vitest';

export { sha256 } from '@contextlog/fs-adapter/testing';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * vitest's `it` for the tests of the built bin: each test that asks for it gets a fresh temporary
 * `dir` (removed after it); every test of the file fails, saying how to build, when the bin is
 * missing.
 */
export const it = fileTest.extend('bin', { scope: 'file', auto: true }, async () => {
  if (!existsSync(BIN)) {
    throw new Error(
      `${BIN} is missing: build the cli first with \`npx tsc -b packages/cli\` (the tests run the built bin)`,
    );
  }
  return BIN;
});

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function startCli(args: readonly string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: readonly string[], cwd: string): Promise<RunResult> {
  return collect(startCli(args, cwd));
}

/** Copies a fixture into `dir` (tests never touch the fixtures themselves). */
export async function fixture(dir: string, name: string, as = name): Promise<string> {
  const path = join(dir, as);
  await copyFile(join(FIXTURES, name), path);
  return path;
}

/** A user's mistake: exactly one line on stderr, no stack trace. */
export function oneLineError(result: RunResult): string {
  const text = result.stderr.replace(/\n$/, '');
  if (text.includes('\n') || /\n\s+at\s/.test(result.stderr) || text === '') {
    throw new Error(`expected one line on stderr, got:\n${result.stderr}`);
  }
  return text;
}

/** Runs `replay PATH --json` and returns its one JSON object (the run must succeed). */
export async function replayJson(path: string, dir: string): Promise<Record<string, unknown>> {
  const result = await runCli(['replay', path, '--json'], dir);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
