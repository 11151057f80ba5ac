import { hostname } from 'node:os';
import { readSessionLock } from '@contextlog/fs-adapter';

/**
 * Who holds the session's writer lock when that writer may be alive ("locked by live process
 * 123 since …"), for the caller to finish the sentence in its own terms; undefined when there is
 * no lock or its owner is gone. Reads the lock file only.
 */
export async function describeLiveWriter(path: string): Promise<string | undefined> {
  const status = await readSessionLock(path);
  if (status === undefined || !status.alive) return undefined;
  const { pid, host, createdAt } = status.owner;
  return host === hostname()
    ? `locked by live process ${pid} since ${createdAt}`
    : `locked by process ${pid} on host ${host} since ${createdAt}`;
}
