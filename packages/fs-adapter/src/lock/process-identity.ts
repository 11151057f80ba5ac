import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { codeOf } from '@contextlog/core';

/**
 * Start time of a process in clock ticks since boot: field 22 of /proc/<pid>/stat on Linux.
 * With the pid it names one process for the life of a boot: a reused pid has a later start time.
 * Undefined where /proc does not exist (then the pid alone is checked).
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces or parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let bootId: Promise<string | undefined> | undefined;

/** Linux's id of this boot: a lock written before a reboot belongs to no running process. */
export function currentBootId(): Promise<string | undefined> {
  bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  return bootId;
}

export function currentHost(): string {
  return hostname();
}

export type Liveness = 'alive' | 'dead';

// This process's identity cannot change: read once.
let own: Promise<ProcessIdentity> | undefined;

/** This process: pid, host, start time and boot id (where /proc tells them). */
export function ownIdentity(): Promise<ProcessIdentity> {
  own ??= Promise.all([processStartTime(process.pid), currentBootId()]).then(
    ([startTime, bootId]) => ({
      pid: process.pid,
      host: currentHost(),
      ...(startTime === undefined ? {} : { startTime }),
      ...(bootId === undefined ? {} : { bootId }),
    }),
  );
  return own;
}

export interface ProcessIdentity {
  readonly pid: number;
  readonly host: string;
  readonly startTime?: string | undefined;
  readonly bootId?: string | undefined;
}

/**
 * Whether the process a lock names still runs. A lock from another host cannot be checked and
 * counts as alive (never taken over); on this host a pid that is gone, a pid now owned by a
 * process that started at another time, or another boot, means the owner is dead.
 */
export async function liveness(owner: ProcessIdentity): Promise<Liveness> {
  if (owner.host !== currentHost()) return 'alive';
  const boot = await currentBootId();
  if (owner.bootId !== undefined && boot !== undefined && owner.bootId !== boot) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if (codeOf(error) === 'ESRCH') return 'dead';
  }
  if (owner.startTime !== undefined) {
    const now = await processStartTime(owner.pid);
    // Unreadable (another user's process under hidepid): trust kill's answer, never guess dead.
    if (now !== undefined && now !== owner.startTime) return 'dead';
  }
  return 'alive';
}
