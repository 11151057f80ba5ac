import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const repoDir = join(packageDir, '..', '..');

/** The children run the compiled package: builds it (and what it references) from the sources. */
export async function buildPackage(): Promise<void> {
  await promisify(execFile)('npx', ['tsc', '-b', 'packages/claude-agent-sdk'], { cwd: repoDir });
}

export const scriptPath = (name: string) => join(packageDir, 'scripts', name);

/** Runs a script of scripts/ with `input` on its stdin, to its end, and gives its stdout. */
export function runScript(name: string, args: readonly string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [scriptPath(name), ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}
