import { hostname } from 'node:os';
import { readSessionLock } from '@contextlog/fs-adapter';

/**
 * Says who holds the session's writer lock when that writer may be alive, for `verify`'s
 * warning; undefined when there is no lock or its owner is gone. Reads the lock file only.
 */
export async function liveWriterOf(path: string): Promise<string | undefined> {
  const status = await readSessionLock(path);
  if (status === undefined || !status.alive) return undefined;
  const { pid, host, createdAt } = status.owner;
  return host === hostname()
    ? `locked by live process ${pid} since ${createdAt}: a writer may be appending while this reads`
    : `locked by process ${pid} on host ${host} since ${createdAt} (a writer may be appending)`;
}
