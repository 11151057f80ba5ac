import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { lockPathOf } from '@contextlog/fs-adapter';

interface LockRecord {
  readonly pid?: unknown;
  readonly host?: unknown;
  readonly startTime?: unknown;
  readonly createdAt?: unknown;
}

async function startTimeOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Says who holds the session's writer lock when that writer may be alive, for `verify`'s
 * warning; undefined when there is no lock or its owner is gone. Reads the lock file only.
 * (The fs-adapter decides liveness the same way when it takes a lock: pid, host, start time.)
 */
export async function liveWriterOf(path: string): Promise<string | undefined> {
  let record: LockRecord;
  try {
    record = JSON.parse(await readFile(lockPathOf(path), 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
  const { pid, host, startTime, createdAt } = record;
  if (typeof pid !== 'number' || typeof host !== 'string') return undefined;
  const since = typeof createdAt === 'string' ? ` since ${createdAt}` : '';
  if (host !== hostname()) {
    return `locked by process ${pid} on host ${host}${since} (a writer may be appending)`;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ESRCH') return undefined;
  }
  if (typeof startTime === 'string') {
    const now = await startTimeOf(pid);
    if (now !== undefined && now !== startTime) return undefined;
  }
  return `locked by live process ${pid}${since}: a writer may be appending while this reads`;
}
