import { type FSWatcher, watch } from 'node:fs';
import type { DialectOptions, StoredEvent } from '@contextlog/core';
import { Observable } from 'rxjs';
import { SessionReplacedError, SessionRolledBackError } from '../errors.js';
import {
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  openRegularFile,
  readFully,
} from '../fs/file-system.js';
import { createContextlogDecoder } from '../read/contextlog-decoder.js';
import { lineBatches } from '../read/line-batches.js';
import type { Diagnostic, ReadMode } from '../read/types.js';

/** `dialects`, `estimators`: as `readSessionFile`'s. */
export interface FollowFileOptions extends DialectOptions {
  /** `'strict'` (default): the stream errors with `CorruptSessionError` at a corrupt line. */
  readonly mode?: ReadMode;
  /** How often to look for new bytes when no change notification came (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** Receives lenient mode's diagnostics. */
  readonly diagnostics?: Diagnostic[];
  readonly fs?: FileSystem;
}

/**
 * The events of a contextlog session as a live writer commits them: first those already in the
 * file, then each new complete line as it lands (fs.watch, with a poll as fallback). A line is
 * emitted only once its `\n` is there, so a write in progress is never seen half. Takes no lock
 * and never writes. Errors with `SessionReplacedError` if the file is replaced under it (a
 * snapshot rewrite), and with `CorruptSessionError` on corruption (strict mode).
 *
 * A line is emitted as soon as it is written, before the writer's fsync, and the file holds no
 * commit marker: if the write then fails, the writer truncates it away and the append is
 * rejected, yet the follower has emitted it. That rollback is detected (the file shrinks, or the
 * last emitted line's bytes are no longer there when it grows again) and the stream errors with
 * `SessionRolledBackError`: events emitted since the last one the writer acknowledged may never
 * have been committed.
 */
export function followFileSession(
  path: string,
  options: FollowFileOptions = {},
): Observable<StoredEvent> {
  const fs = options.fs ?? defaultFileSystem;
  const mode = options.mode ?? 'strict';
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  return new Observable<StoredEvent>((subscriber) => {
    const decoder = createContextlogDecoder(path, mode, options.diagnostics ?? [], options);
    let handle: FileHandleLike | undefined;
    let ino = -1;
    let offset = 0;
    let stopped = false;
    let reading: Promise<void> | undefined;
    let again = false;
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    // The last emitted line (start offset and bytes: one copy per chunk read, not per line), to
    // check it is still there before reading on.
    let lastLineStart = 0;
    let lastLine: Buffer | undefined;

    const stillThere = async (file: FileHandleLike): Promise<boolean> => {
      if (lastLine === undefined) return true;
      const now = Buffer.allocUnsafe(lastLine.length);
      const read = await readFully(file, now, 0, now.length, lastLineStart);
      return read === now.length && now.equals(lastLine);
    };

    const sink = (event: StoredEvent) => {
      if (!subscriber.closed) subscriber.next(event);
      return undefined;
    };

    const readNew = async (): Promise<void> => {
      if (handle === undefined) {
        handle = await openRegularFile(fs, path);
        ino = (await handle.stat()).ino;
      }
      const file = handle;
      const current = await fs.stat(path).catch(() => undefined);
      if (current === undefined || current.ino !== ino) throw new SessionReplacedError(path);
      const { size } = await file.stat();
      // Same file, fewer bytes: the writer truncated away a failed write we may have emitted.
      if (size < offset) throw new SessionRolledBackError(path, offset);
      if (size === offset) return;
      if (!(await stillThere(file))) throw new SessionRolledBackError(path, lastLineStart);
      for await (const batch of lineBatches(file, offset, size)) {
        if (stopped) return;
        // An unterminated tail is a line still being written: leave it for the next read.
        decoder.batch({ ...batch, final: false }, sink);
        if (batch.to > batch.from) {
          const start = batch.to >= 2 ? batch.buf.lastIndexOf(10, batch.to - 2) + 1 : 0;
          const from = Math.max(start, batch.from);
          lastLineStart = batch.offset + (from - batch.from);
          lastLine = Buffer.from(batch.buf.subarray(from, batch.to));
        }
      }
      offset = Math.max(offset, decoder.completeEnd);
    };

    const pump = (): void => {
      if (stopped) return;
      if (reading !== undefined) {
        again = true;
        return;
      }
      reading = (async () => {
        try {
          do {
            again = false;
            await readNew();
          } while (again && !stopped);
        } catch (error) {
          if (!stopped) subscriber.error(error);
        } finally {
          reading = undefined;
        }
      })();
    };

    try {
      watcher = watch(path, { persistent: false }, () => pump());
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // the poll below still sees every change
    }
    timer = setInterval(pump, pollIntervalMs);
    pump();

    return () => {
      stopped = true;
      watcher?.close();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      const close = () => handle?.close().catch(() => undefined);
      if (reading !== undefined) void reading.then(close);
      else void close();
    };
  });
}

/** @deprecated use `followFileSession` (the same function, named like `followPgSession`). */
export const followSessionFile = followFileSession;
/** @deprecated use `FollowFileOptions`. */
export type FollowOptions = FollowFileOptions;
