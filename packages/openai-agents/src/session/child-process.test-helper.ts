import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const repoDir = join(packageDir, '..', '..');

/** The children run the compiled package: builds it (and what it references) from the sources. */
export async function buildPackage(): Promise<void> {
  await promisify(execFile)('npx', ['tsc', '-b', 'packages/openai-agents'], { cwd: repoDir });
}

export const scriptPath = (name: string) => join(packageDir, 'scripts', name);

/** Runs a script of scripts/ to its end and gives its stdout. */
export async function runScript(name: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [scriptPath(name), ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
