import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { codeOf, ValidationError } from '@contextlog/core';
import { SessionLockedError } from '../errors.js';
import { defaultFileSystem, type FileSystem, realPathOf, writeNewFile } from '../fs/file-system.js';
import { temporaryPathFor } from '../publish/temporary-file.js';
import { liveness, ownIdentity, type ProcessIdentity } from './process-identity.js';

export interface LockOwner extends ProcessIdentity {
  readonly nonce: string;
  readonly createdAt: string;
}

export interface HeldLock {
  readonly lockPath: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

async function myIdentity(): Promise<LockOwner> {
  return {
    ...(await ownIdentity()),
    nonce: randomBytes(12).toString('hex'),
    createdAt: new Date().toISOString(),
  };
}

function parseOwner(raw: Buffer): LockOwner | undefined {
  try {
    const value = JSON.parse(raw.toString('utf8')) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    if (typeof value.nonce !== 'string') return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

async function readRaw(fs: FileSystem, path: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Creates `path` holding `content` only if it does not exist. The content is written under a
 * temporary name first, then hard-linked into place (link fails if the name exists), so nobody
 * ever reads a half-written lock. Not fsynced: after a power loss no owner is alive, and an empty
 * or unreadable lock counts as stale.
 */
async function createExclusive(fs: FileSystem, path: string, content: Buffer): Promise<boolean> {
  const temp = await temporaryPathFor(path);
  // writeNewFile removes the temporary file itself if its write fails.
  await writeNewFile(fs, temp, content, { sync: false });
  try {
    await fs.link(temp, path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
}

const keyOf = (raw: Buffer) => createHash('sha256').update(raw).digest('hex').slice(0, 24);

type ClaimResult = 'won' | 'busy';

/**
 * Becomes the one process allowed to replace the stale lock content whose key is `staleKey`:
 * the exclusive creation of `<lock>.claim-<staleKey>`. If that claim's own owner died mid-takeover,
 * the claim is claimed the same way one level down (`…-<key of that claim>`). At most one live
 * process holds a claim for a given stale lock at any moment: a level is entered only when the
 * holder of the level above is dead, and claim files are removed only after the lock changed.
 */
async function claim(
  fs: FileSystem,
  claimPath: string,
  content: Buffer,
  depth = 0,
): Promise<{ result: ClaimResult; path?: string; holder?: LockOwner }> {
  if (await createExclusive(fs, claimPath, content)) return { result: 'won', path: claimPath };
  const raw = await readRaw(fs, claimPath);
  if (raw === undefined) return { result: 'busy' };
  const holder = parseOwner(raw);
  if (holder !== undefined && (await liveness(holder)) === 'alive') {
    return { result: 'busy', holder };
  }
  if (depth > 8) return { result: 'busy' };
  return claim(fs, `${claimPath}-${keyOf(raw)}`, content, depth + 1);
}

async function removeClaims(fs: FileSystem, lockPath: string, staleKey: string): Promise<void> {
  const prefix = `${basename(lockPath)}.claim-${staleKey}`;
  const dir = dirname(lockPath);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix)) await fs.unlink(join(dir, name)).catch(() => undefined);
  }
}

export interface LockOptions {
  /**
   * How long to wait for a live writer to release the lock before refusing with
   * `SessionLockedError` (default 0: refuse at once). The lock is polled, every 2 ms at first,
   * then up to every 50 ms, so waiters are served in no particular order.
   */
  readonly waitMs?: number;
}

function checkWaitMs(waitMs: number | undefined): number {
  if (waitMs === undefined) return 0;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new ValidationError(
      `lock.waitMs: expected a finite number >= 0, got ${waitMs}`,
      'lock.waitMs',
    );
  }
  return waitMs;
}

/**
 * Takes the writer lock of `path`: `<real path>.lock`, holding pid, host, process start time and boot
 * id. A lock whose owner is alive (or on another host, which cannot be checked) makes this reject
 * with `SessionLockedError` naming its pid. A stale lock is taken over by exactly one process:
 * see `claim` for why two processes that both judge it stale cannot both win; the winner then
 * checks the lock still holds what it judged stale and renames its own lock over it atomically.
 */
export async function acquireLock(
  fs: FileSystem,
  path: string,
  options: LockOptions = {},
): Promise<HeldLock> {
  // One lock per file, not per name: a symlink (to the file or a directory above it) resolves to
  // the same lock. Two hard links still get two locks; the writer's size check catches that.
  const lockPath = lockPathOf(await realPathOf(fs, path));
  const owner = await myIdentity();
  const content = Buffer.from(`${JSON.stringify(owner)}\n`);
  let lastSeen: LockOwner | undefined;
  const waitMs = checkWaitMs(options.waitMs);
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; attempt < 100 || Date.now() < deadline; attempt++) {
    if (await createExclusive(fs, lockPath, content)) return held(fs, lockPath, owner);
    const raw = await readRaw(fs, lockPath);
    if (raw === undefined) continue; // released meanwhile: try again
    const current = parseOwner(raw);
    if (current !== undefined) lastSeen = current;
    if (current !== undefined && (await liveness(current)) === 'alive') {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SessionLockedError(path, lockPath, current.pid, current.host, current.createdAt);
      }
      // Polled: a lock file has no wake-up. Short sleeps first (appends hold it for milliseconds).
      await sleep(Math.min(left, 2 + Math.min(attempt, 48)));
      continue;
    }
    // Stale (owner gone, or unreadable content such as an empty file after a power loss).
    const staleKey = keyOf(raw);
    const claimed = await claim(fs, `${lockPath}.claim-${staleKey}`, content);
    if (claimed.result === 'busy') {
      if (claimed.holder !== undefined) lastSeen = claimed.holder;
      await sleep(10 + attempt * 2);
      continue;
    }
    try {
      const now = await readRaw(fs, lockPath);
      if (now === undefined || !now.equals(raw)) continue; // somebody moved on: start again
      const temp = await temporaryPathFor(lockPath);
      await writeNewFile(fs, temp, content, { sync: false });
      try {
        await fs.rename(temp, lockPath);
      } catch (error) {
        await fs.unlink(temp).catch(() => undefined);
        throw error;
      }
      await removeClaims(fs, lockPath, staleKey);
      return held(fs, lockPath, owner);
    } finally {
      if (claimed.path !== undefined) await fs.unlink(claimed.path).catch(() => undefined);
    }
  }
  const who = lastSeen;
  throw new SessionLockedError(
    path,
    lockPath,
    who?.pid ?? -1,
    who?.host ?? 'unknown',
    who?.createdAt,
  );
}

function held(fs: FileSystem, lockPath: string, owner: LockOwner): HeldLock {
  let released = false;
  return {
    lockPath,
    owner,
    async release() {
      if (released) return;
      released = true;
      const raw = await readRaw(fs, lockPath);
      // Remove only our own lock, never one that replaced it.
      if (raw !== undefined && parseOwner(raw)?.nonce === owner.nonce) await fs.unlink(lockPath);
    },
  };
}

/**
 * Removes the claims (`<lock>.claim-…`) that takeovers of the lock at `lockPath` left behind when
 * their process died mid-takeover; a live process's claim stays. For a caller that holds the lock
 * (so every claim is of an older lock) and removes the session. Never fails; resolves with the
 * paths removed.
 */
export async function removeDeadClaims(fs: FileSystem, lockPath: string): Promise<string[]> {
  const prefix = `${basename(lockPath)}.claim-`;
  const dir = dirname(lockPath);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    try {
      const raw = await readRaw(fs, path);
      const holder = raw === undefined ? undefined : parseOwner(raw);
      // A claim is written whole (see createExclusive): one without a readable owner is no live one's.
      if (holder !== undefined && (await liveness(holder)) === 'alive') continue;
      await fs.unlink(path);
      removed.push(path);
    } catch {
      // gone meanwhile: nothing to remove
    }
  }
  return removed;
}

export interface SessionLockStatus {
  readonly owner: LockOwner;
  /** False when the owner is gone (the lock is stale and the next writer takes it over). */
  readonly alive: boolean;
}

/**
 * Who holds the writer lock of `path`, judged as `acquireLock` judges it; undefined when there is
 * no readable lock. Reads only: readers (and `contextlog verify`) use it to warn about a live writer.
 */
export async function readSessionLock(
  path: string,
  fs: FileSystem = defaultFileSystem,
): Promise<SessionLockStatus | undefined> {
  const raw = await readRaw(fs, lockPathOf(await realPathOf(fs, path)));
  const owner = raw === undefined ? undefined : parseOwner(raw);
  if (owner === undefined) return undefined;
  return { owner, alive: (await liveness(owner)) === 'alive' };
}
