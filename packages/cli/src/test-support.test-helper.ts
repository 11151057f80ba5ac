// Helpers for the tests that run the built `contextlog` bin as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function requireBuiltBin(): void {
  if (!existsSync(BIN)) {
    throw new Error(
      `${BIN} is missing: build the cli first with \`npx tsc -b packages/cli\` (the tests run the built bin)`,
    );
  }
}

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

export async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** A fresh temporary directory per test, removed after it. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'contextlog-cli-test-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
