import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildResult, ChildTask } from '../child.js';

const CHILD = fileURLToPath(new URL('../child.js', import.meta.url));

/**
 * Runs one measurement in a fresh node process (see child.ts). `BENCH_CHILD_NODE_OPTIONS` adds
 * node flags to the child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a replay.
 */
export function runChild(
  task: ChildTask,
  file: string,
  out?: string,
  nodeFlags: readonly string[] = [],
): Promise<ChildResult> {
  const extra = (process.env.BENCH_CHILD_NODE_OPTIONS ?? '').split(' ').filter((s) => s !== '');
  const args = [...nodeFlags, ...extra, CHILD, task, file, ...(out === undefined ? [] : [out])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const why = signal === null ? `exit code ${code}` : `signal ${signal}`;
        reject(new Error(`child ${task} ${file} failed (${why}): ${stderr.slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as ChildResult);
      } catch {
        reject(
          new Error(
            `child ${task} printed no result: ${stdout.slice(0, 500)} ${stderr.slice(-500)}`,
          ),
        );
      }
    });
  });
}
