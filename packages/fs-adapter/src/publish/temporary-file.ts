import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { FileSystem } from '../fs/file-system.js';
import { liveness, ownIdentity, type ProcessIdentity } from '../lock/process-identity.js';

/**
 * `.<name>.<pid>@<host>.<start time>.<random>.tmp`: the host is URI-encoded, so it holds no `@`
 * and the last `@` ends the pid; an unknown start time (no /proc) is `-`.
 */
const TEMPORARY_NAME = /^\.(.+)\.(\d+)@([^@/]+)\.(\d+|-)\.[0-9a-f]{12}\.tmp$/;

/**
 * A fresh name beside `target` for the file that will become it (so the final rename or link
 * stays within one directory), naming its writer as the lock does (pid, host, process start
 * time): a later run tells a dead writer's leftover from a live one's (`removeDeadTemporaries`).
 * Every temporary file of the adapter (rewrites, conversions, locks) is named here.
 */
export async function temporaryPathFor(target: string): Promise<string> {
  const { pid, host, startTime } = await ownIdentity();
  const writer = `${pid}@${encodeURIComponent(host)}.${startTime ?? '-'}.${randomBytes(6).toString('hex')}.tmp`;
  const base = basename(target);
  const name = `.${base}.${writer}`;
  // A name the file system cannot hold would fail the write: a long file name is shortened to a
  // hash, which removeDeadTemporaries looks for too.
  const fits = Buffer.byteLength(name) <= MAX_NAME_BYTES;
  return join(dirname(target), fits ? name : `.${hashedStem(base)}.${writer}`);
}

const MAX_NAME_BYTES = 255;

const hashedStem = (base: string) =>
  `~${createHash('sha256').update(base).digest('hex').slice(0, 40)}`;

interface TemporaryName {
  /** The name of the file it was to become (`<target>.lock…` for a lock's). */
  readonly of: string;
  readonly writer: ProcessIdentity;
}

export function parseTemporaryName(name: string): TemporaryName | undefined {
  const match = TEMPORARY_NAME.exec(name);
  if (match === null) return undefined;
  const [, of = '', pid = '', host = '', startTime = '-'] = match;
  let decodedHost: string;
  try {
    decodedHost = decodeURIComponent(host);
  } catch {
    return undefined;
  }
  return {
    of,
    writer: {
      pid: Number(pid),
      host: decodedHost,
      ...(startTime === '-' ? {} : { startTime }),
    },
  };
}

/**
 * Removes what crashed writers left of files that were to become `target` (or its lock): each
 * temporary file whose writer is dead, judged as a stale lock is (same host, and the pid gone or
 * now another process). One whose writer may be alive (this process, another live one, another
 * host) is kept. Never fails: a leftover that cannot be removed stays for the next time.
 * Resolves with the paths it removed.
 */
export async function removeDeadTemporaries(fs: FileSystem, target: string): Promise<string[]> {
  const dir = dirname(target);
  const base = basename(target);
  const hashed = hashedStem(base);
  // The file's own and its lock's (a long name's lock leftovers, hashed apart, stay: they are tiny).
  const ours = (of: string) => of === base || of === hashed || of.startsWith(`${base}.lock`);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`.${base}.`) && !name.startsWith(`.${hashed}.`)) continue;
    const parsed = parseTemporaryName(name);
    if (parsed === undefined || !ours(parsed.of)) continue;
    try {
      if ((await liveness(parsed.writer)) === 'dead') {
        await fs.unlink(join(dir, name));
        removed.push(join(dir, name));
      }
    } catch {
      // gone meanwhile, or not ours to remove: left as it is
    }
  }
  return removed;
}
