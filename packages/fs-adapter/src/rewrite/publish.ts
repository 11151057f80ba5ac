import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import {
  type ContextState,
  checkJsonData,
  parseStoredEvent,
  STORED_EVENT_MAX_DEPTH,
  type StoredEvent,
  snapshotStateOf,
  stateToJson,
} from '@contextlog/core';
import { describe } from '../describe.js';
import { TargetExistsError } from '../errors.js';
import { headerLine } from '../format/header.js';
import { errnoCode, type FileSystem, syncDirectory, writeNewFile } from '../fs/file-system.js';
import { readSessionFile } from '../read/read-session-file.js';
import { encodeLines } from '../store/encode-lines.js';

/**
 * A `state.snapshotted` of `state` at `seq`. A value JSON could not give back (a number too large
 * for a double, read from another writer's line as Infinity) is refused with its path instead of
 * being written as null.
 */
export function snapshotEvent(seq: number, at: string, state: ContextState): StoredEvent {
  checkJsonData({ ...state }, ['state'], STORED_EVENT_MAX_DEPTH);
  return {
    seq,
    v: 1,
    at,
    type: 'state.snapshotted',
    data: { state: snapshotStateOf(state) },
  } as StoredEvent;
}

/** A whole session file: its header, then each event (validated) as the file store writes it. */
export function sessionText(createdAt: Date, events: readonly StoredEvent[]): Buffer {
  const lines = encodeLines(events.map((event) => parseStoredEvent(event)));
  return Buffer.concat([Buffer.from(headerLine(createdAt), 'utf8'), lines]);
}

/**
 * Puts a whole new session file at `target` atomically: written and fsynced under a temporary
 * name in the same directory, read back and checked to replay to `expected`, then renamed into
 * place (or hard-linked, when an existing file must not be replaced) and the directory fsynced.
 * A crash at any point leaves either the old file or the new one, never a mix.
 */
export async function publishSession(
  fs: FileSystem,
  target: string,
  bytes: Buffer,
  expected: ContextState,
  replace: boolean,
): Promise<ContextState> {
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  // writeNewFile removes the temporary file itself if its write fails.
  await writeNewFile(fs, temp, bytes);
  try {
    const check = await readSessionFile(temp, { format: 'contextlog', fs });
    const want = JSON.stringify(stateToJson(expected));
    if (JSON.stringify(stateToJson(check.state)) !== want) {
      throw new Error(`${target}: the rewritten session does not replay to the promised state`);
    }
    if (replace) {
      await fs.rename(temp, target);
    } else {
      try {
        await fs.link(temp, target);
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') throw new TargetExistsError(target);
        throw new Error(`${target}: cannot create it (${describe(error)})`, { cause: error });
      }
      await fs.unlink(temp);
    }
    await syncDirectory(fs, dirname(target));
    return check.state;
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
}
