import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Builds a workspace package and what it references (`tsc -b`), so that a child process can run
 * its compiled `dist/` from the sources under test.
 */
export async function buildPackage(packageDir: string): Promise<void> {
  await promisify(execFile)('npx', ['tsc', '-b', packageDir], { cwd: packageDir });
}

/** Runs a Node.js script in a fresh process to its end and gives its stdout (rejects on a non-zero exit). */
export async function runNodeScript(path: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
