import { constants } from 'node:fs';
import { dirname } from 'node:path';
import {
  ConcurrencyError,
  CopyTargetNotEmptyError,
  CorruptSessionError,
  codeOf,
  type EventStore,
  StoreBrokenError,
  StoreClosedError,
  type StoredEvent,
} from '@contextlog/core';
import {
  type AppendOptions,
  appendInBatches,
  checkBatchContinuity,
  createEventParser,
  createMessageCounter,
  createSerializer,
  DEFAULT_KIND,
  type ImportEventsOptions,
  isValidatedBatch,
  kindAfter,
  type SessionKind,
} from '@contextlog/core/store';
import { describe } from '../describe.js';
import { AppendFailedError, NotAFileError, SessionNotFoundError } from '../errors.js';
import { headerLine, headerVersionFor } from '../format/header.js';
import {
  checkIsFile,
  defaultFileSystem,
  type FileHandleLike,
  type FileSystem,
  isMissing,
  readFully,
  realPathOf,
  syncDirectory,
  writeFully,
  writeNewFile,
} from '../fs/file-system.js';
import { acquireLock, type HeldLock, type LockOptions } from '../lock/session-lock.js';
import { checkCreatable, refuseDirectoryName } from '../publish/out-path.js';
import { removeDeadTemporaries } from '../publish/temporary-file.js';
import {
  type ContextlogDecoder,
  createContextlogDecoder,
  replayingSink,
} from '../read/contextlog-decoder.js';
import { contextlogFormat } from '../read/contextlog-format.js';
import { detectFormat } from '../read/detect-format.js';
import { lineBatches } from '../read/line-batches.js';
import { eventBatchesOfHandle } from '../read/read-session-events.js';
import type { SessionFormat } from '../read/session-format.js';
import { encodeEventLines } from './encode-lines.js';

export type Durability = 'fsync' | 'os';

export interface FileStoreOptions {
  /**
   * `'fsync'` (default): `append` resolves once the batch is fsynced (survives power loss).
   * `'os'`: once the OS has it (survives a crash of this process, not of the machine).
   */
  readonly durability?: Durability;
  /** The file system to use; tests inject one that fails chosen calls. */
  readonly fs?: FileSystem;
  /**
   * Formats to recognize a file by (contextlog is always one of them), so that a file of another
   * format is refused by name (say, `kimiFormat`'s: "a kimi-cli context.jsonl, not a contextlog
   * session: import it first") rather than as a file of no known format. Nothing is ever written
   * to such a file.
   */
  readonly formats?: readonly SessionFormat[];
  /**
   * `{ waitMs }`: wait up to that long for another live writer to close the session before
   * refusing with `SessionLockedError` (default: refuse at once). For writers that each open the
   * session for a short while (one append), so that a second one queues rather than fails.
   */
  readonly lock?: LockOptions;
}

export interface FileEventStore extends EventStore {
  readonly path: string;
  readonly durability: Durability;
  /** Seq of the last committed event (0 for an empty session). */
  lastSeq(): Promise<number>;
  /** Length of the file's committed bytes. */
  readonly committedBytes: number;
  /** Where the torn tail found at open was kept, if there was one. */
  readonly tornTailPath: string | undefined;
  /**
   * Writes a whole log into this session, which must have no events, under the writer lock and
   * in one turn of its queue; if anything fails (the source included) the file goes back to its
   * header. `copyEvents` uses it.
   */
  importEvents(events: AsyncIterable<StoredEvent>, options: ImportEventsOptions): Promise<void>;
}

/** Writes above ~100 KB got slower on the measured machine: large batches go in slices. */
const MAX_WRITE = 100 * 1024;

/**
 * `'fsync'` sessions are opened with O_DSYNC where the platform has it (Linux, macOS; not
 * Windows, which falls back to a separate fsync). Each write then returns only once its bytes, and
 * the file size they need, are on stable storage: for appends that is what write + fsync gives
 * (fdatasync semantics: the one thing it leaves out, the mtime, no reader relies on), in one
 * thread-pool round trip instead of two (measured: p50 of one durable append 1.3x a synchronous
 * write + fsync, against 1.5x for write, then sync). A failed O_DSYNC write is undone like any
 * failed write (truncated back, then fsynced: O_DSYNC covers writes, not truncates). Truncates,
 * the header and the directory entry of a new file keep their explicit fsyncs.
 */
const DSYNC_FLAG: number | undefined = constants.O_DSYNC;

/**
 * Opens (or creates) a contextlog session file as an `EventStore`: takes the writer lock,
 * validates the whole file (strict: a corrupt file is refused untouched), keeps a torn tail aside
 * in `<file>.torn-<offset>` and truncates it away, and writes the header of a new file.
 */
export function openFileStore(
  path: string,
  options: FileStoreOptions = {},
): Promise<FileEventStore> {
  return openStore(path, { ...options, eager: true });
}

/** `openStore`'s own options, beside the public ones. */
export interface OpenStoreOptions extends FileStoreOptions {
  /**
   * `false` leaves the validating pass to the first `load()` (or `append`), which yields the
   * events of that same single read: `openFileSession` loads at once, so a session is read once, not
   * twice. Nothing is repaired before that pass succeeded, so a corrupt file is still untouched.
   */
  readonly eager: boolean;
  /** Refuse a missing file with `SessionNotFoundError` instead of creating it (default false). */
  readonly mustExist?: boolean;
}

export async function openStore(path: string, options: OpenStoreOptions): Promise<InternalStore> {
  const { eager, mustExist = false } = options;
  const fs = options.fs ?? defaultFileSystem;
  const durability = options.durability ?? 'fsync';
  // The real path: a symlink and its target are one session, with one lock (see acquireLock).
  refuseDirectoryName(path);
  const real = await realPathOf(fs, path);
  const existing = await fs.stat(real).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (existing === undefined && mustExist) throw new SessionNotFoundError(path);
  // Refused before the lock is taken, so that nothing is created: a dangling symlink, a missing
  // directory (the error would otherwise name the lock's temporary file).
  if (existing === undefined) await checkCreatable(fs, path);
  else checkIsFile(path, existing);
  const lock = await acquireLock(fs, real, options.lock);
  // A writer that was killed mid-rewrite left its temporary copy: the next writer removes it.
  await removeDeadTemporaries(fs, real);
  let handle: FileHandleLike | undefined;
  const dsync = durability === 'fsync' && DSYNC_FLAG !== undefined ? DSYNC_FLAG : 0;
  try {
    let created = false;
    try {
      handle = await fs.open(real, constants.O_RDWR | dsync);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'EISDIR') throw new NotAFileError(path, 'a directory');
      if (code !== 'ENOENT') throw error;
      if (mustExist) throw new SessionNotFoundError(path);
      handle = await fs.open(
        real,
        constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | dsync,
        0o644,
      );
      created = true;
    }
    const stat = await handle.stat();
    checkIsFile(path, stat);
    const { size } = stat;
    if (size > 0) await refuseOtherFormat(handle, size, path, options.formats ?? []);
    const store = createFileStore({
      fs,
      handle,
      lock,
      path,
      real,
      durability,
      durableWrites: dsync !== 0,
      created,
    });
    if (eager || size === 0) await store.validate();
    return store;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
    throw error;
  }
}

/** Refuses a file another of `formats` claims: a store writes contextlog sessions only. */
async function refuseOtherFormat(
  handle: FileHandleLike,
  size: number,
  path: string,
  formats: readonly SessionFormat[],
): Promise<void> {
  const known = formats.some((format) => format.name === contextlogFormat.name)
    ? formats
    : [contextlogFormat, ...formats];
  const format = await detectFormat(handle, size, path, known);
  if (format.name === contextlogFormat.name) return;
  const how = format.importedBy === undefined ? '' : ` (${format.importedBy})`;
  throw new CorruptSessionError(
    path,
    1,
    0,
    `${format.title}, not a contextlog session: import it first${how}`,
  );
}

/**
 * Copies a torn tail to `<file>.torn-<offset>` (fsynced, with its directory) before it goes.
 * A failed copy leaves no partial file (writeNewFile removes it); a retry after a failure later
 * on (the truncate) finds its own earlier copy and reuses it instead of adding another.
 */
async function keepAside(
  fs: FileSystem,
  handle: FileHandleLike,
  path: string,
  { offset, length }: TornTail,
): Promise<string> {
  const buffer = Buffer.alloc(length);
  const bytes = buffer.subarray(0, await readFully(handle, buffer, 0, length, offset));
  for (let n = 1; ; n++) {
    const aside = n === 1 ? `${path}.torn-${offset}` : `${path}.torn-${offset}-${n}`;
    try {
      await writeNewFile(fs, aside, bytes);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST' || n >= 1000) throw error;
      const there = await fs.readFile(aside).catch(() => undefined);
      if (there === undefined || !there.equals(bytes)) continue;
    }
    await syncDirectory(fs, dirname(path));
    return aside;
  }
}

/**
 * The header line `header` names, at `version`, if the file's first line is exactly that header
 * at its version (as every contextlog writer writes it): the same length, so it is rewritten in
 * place. A header written otherwise cannot be raised without a rewrite: refused, nothing written.
 */
async function raisedHeader(
  handle: FileHandleLike,
  path: string,
  header: { readonly createdAt: string; readonly version: number },
  version: number,
): Promise<Buffer> {
  const current = Buffer.from(headerLine(header.createdAt, header.version));
  const raised = Buffer.from(headerLine(header.createdAt, version));
  const onDisk = Buffer.alloc(current.length);
  await readFully(handle, onDisk, 0, onDisk.length, 0);
  if (!onDisk.equals(current) || raised.length !== current.length) {
    throw new StoreBrokenError(
      `${path}: a snapshot in several lines needs header version ${version}, and the file's header is not one this writer can raise in place; nothing was written (snapshot or fork the session to rewrite it)`,
    );
  }
  return raised;
}

/** The torn tail a validating pass found: `length` bytes from `offset` to the end. */
interface TornTail {
  readonly offset: number;
  readonly length: number;
}

export interface InternalStore extends FileEventStore {
  /** Runs the validating pass (and its repairs) unless it already succeeded. */
  validate(): Promise<void>;
}

interface FileStoreParts {
  readonly fs: FileSystem;
  /** The session file, open for reading and writing (with O_DSYNC when `durableWrites`). */
  readonly handle: FileHandleLike;
  readonly lock: HeldLock;
  /** The path as the caller gave it (for messages) and its real path (for what is written). */
  readonly path: string;
  readonly real: string;
  readonly durability: Durability;
  /** Every write is durable when it resolves (O_DSYNC): no fsync after it. */
  readonly durableWrites: boolean;
  /** The file was created by this open: its directory entry is fsynced once it is valid. */
  readonly created: boolean;
}

function createFileStore(parts: FileStoreParts): InternalStore {
  const { fs, handle, lock, path, real, durability, durableWrites, created } = parts;
  // With O_DSYNC every write is already durable when it resolves (see DSYNC_FLAG).
  const syncAfterWrite = durability === 'fsync' && !durableWrites;
  let valid = false;
  let lastSeq = 0;
  let committed = 0;
  let tornTailPath: string | undefined;
  let closed = false;
  /** What the log declared: the dialect a direct caller's batches are checked with. */
  let kind: SessionKind = DEFAULT_KIND;
  /**
   * The `createdAt` of a version 1 header that is all the file holds: the first append of a
   * session that declares a dialect rewrites it as version 2 (the same length) in place.
   */
  let headerToUpgrade: string | undefined;
  /** The header as read or written, for raising its version in place (a multi-line snapshot). */
  let header: { readonly createdAt: string; readonly version: number } | undefined;
  let broken: StoreBrokenError | undefined;
  // Appends and repairs run one at a time even if a caller does not serialize them. When nothing
  // is running (always, under the engine), a task starts at once. Calls made before `close()` run,
  // in call order; calls after it are refused with StoreClosedError.
  const serializer = createSerializer({ closedError: () => new StoreClosedError() });
  const checkOpen = () => {
    if (closed) throw new StoreClosedError();
  };

  /**
   * One strict read of the whole file: every line validated, and applied to a message counter,
   * which refuses what the fold refuses (so a revert to a dead checkpoint is caught here, with its
   * line) without keeping the history: an engine's load folds these same events into its state,
   * and a second fold beside it cost opening a session a tenth of its time. `out` holds the
   * events of the chunk just decoded.
   */
  const validatingPass = () => {
    const decoder = createContextlogDecoder(path, 'strict', []);
    const out: StoredEvent[] = [];
    return { decoder, out, sink: replayingSink(createMessageCounter(), out) };
  };

  /** After a successful pass: keep a torn tail aside and cut it off; give a new file its header. */
  const finishValidation = async (decoder: ContextlogDecoder): Promise<void> => {
    if (valid) return;
    checkOpen();
    lastSeq = decoder.lastSeq;
    committed = decoder.completeEnd;
    kind = decoder.kind;
    header = decoder.header;
    headerToUpgrade =
      lastSeq === 0 &&
      header?.version === 1 &&
      Buffer.byteLength(headerLine(header.createdAt)) === committed
        ? header.createdAt
        : undefined;
    const torn = decoder.tornTail;
    if (torn !== undefined) {
      tornTailPath = await keepAside(fs, handle, real, torn);
      await handle.truncate(torn.offset);
      await handle.sync();
      committed = torn.offset;
    }
    if (committed === 0) await writeHeader();
    if (created) await syncDirectory(fs, dirname(real));
    valid = true;
  };

  /**
   * A new (or emptied) file gets its header. If that write or its fsync fails, the file goes back
   * to empty: a half header would make the session unreadable and unopenable.
   */
  const writeHeader = async (): Promise<void> => {
    const createdAt = new Date().toISOString();
    const bytes = Buffer.from(headerLine(createdAt));
    try {
      await writeFully(handle, bytes, 0);
      await handle.sync();
    } catch (cause) {
      try {
        await handle.truncate(0);
      } catch (undoError) {
        throw new StoreBrokenError(
          `${path}: writing the header failed (${describe(cause)}) and truncating back to an empty file failed too (${describe(undoError)}); the file may hold part of a header: reopen it (opening keeps such a torn line aside and starts afresh)`,
          { cause },
        );
      }
      throw cause;
    }
    committed = bytes.length;
    headerToUpgrade = createdAt;
    header = { createdAt, version: 1 };
  };

  /** The validating pass inside the serialized section (so never nested in `serializer.run`). */
  const validateHere = async (): Promise<void> => {
    if (valid) return;
    const { size } = await handle.stat();
    const { decoder, out, sink } = validatingPass();
    for await (const batch of lineBatches(handle, 0, size)) {
      decoder.batch(batch, sink);
      out.length = 0;
    }
    await finishValidation(decoder);
  };

  async function* loadBatches(): AsyncGenerator<readonly StoredEvent[]> {
    checkOpen();
    if (valid) {
      yield* eventBatchesOfHandle(handle, {
        path,
        end: committed,
        mode: 'strict',
        beforeChunk: checkOpen,
      });
      return;
    }
    // The first load is the validating pass itself; repairs wait until it fully succeeded.
    const { size } = await handle.stat();
    const { decoder, out, sink } = validatingPass();
    // The next chunk is read while the caller folds this one: nothing else uses the file until
    // this pass is over (appends wait for it in the serializer).
    for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
      checkOpen();
      decoder.batch(batch, sink);
      if (out.length > 0) {
        const events = out.slice();
        out.length = 0;
        yield events;
      }
    }
    await serializer.run(() => finishValidation(decoder));
  }

  /**
   * Undoes a failed write: nothing of the batch may stay for a later append to build on. Throws
   * `AppendFailedError`, or `cause` itself when `wrap` is false (an import whose source failed).
   */
  const undo = async (cause: unknown, wrap = true): Promise<never> => {
    let step = 'truncating back to byte';
    try {
      await handle.truncate(committed);
      step = 'after truncating back, the fsync of the file at byte';
      if (durability === 'fsync') await handle.sync();
    } catch (undoError) {
      broken = new StoreBrokenError(
        `${path}: an append failed (${describe(cause)}) and ${step} ${committed} failed too (${describe(undoError)}); the file may end in a partial batch: no more appends, reopen the session (opening repairs a torn tail)`,
        { cause },
      );
      throw broken;
    }
    throw wrap ? new AppendFailedError(path, committed, cause) : cause;
  };

  /**
   * Positional writes at `committed` are only safe if the file still ends there: another name of
   * the file (a hard link, a writer that ignored the lock) or another tool may have appended. We
   * never write over bytes we did not write: the store stops instead.
   */
  const checkUnchanged = (size: number): void => {
    if (size === committed) return;
    broken = new StoreBrokenError(
      `${path}: the file changed under the writer: expected ${committed} bytes, found ${size} (another process or tool wrote to it); nothing was written: no more appends, reopen the session`,
    );
    throw broken;
  };

  /** One append, inside the serialized section. */
  const appendHere = async (events: readonly StoredEvent[], expectedSeq: number): Promise<void> => {
    if (closed) throw new StoreClosedError();
    if (broken !== undefined) throw broken;
    // Awaits skipped on the hot path: each is a turn of the microtask queue per append.
    if (!valid) await validateHere();
    if (expectedSeq !== lastSeq) throw new ConcurrencyError(expectedSeq, lastSeq);
    // A batch the engine built is valid and frozen (core's events/validated.ts explains why
    // that mark is safe to trust); any other, say a direct caller's, is validated here.
    let parsed = events;
    if (!isValidatedBatch(events)) {
      const parser = createEventParser({ kind });
      parsed = events.map((event) => parser.parse(event));
    }
    const newLastSeq = checkBatchContinuity(parsed, lastSeq);
    if (parsed.length === 0) return;
    const newKind = kindAfter(kind, parsed);
    checkUnchanged(
      handle.statSync !== undefined ? handle.statSync().size : (await handle.stat()).size,
    );
    const { bytes, multiPartSnapshot } = encodeEventLines(parsed);
    // A session declaring a dialect gets header version 2 before its first event is written; a
    // snapshot in several lines needs version 3, at any point (the version is one digit: the
    // header keeps its length, so it is rewritten in place).
    const version = headerVersionFor(newKind, { multiPartSnapshot });
    let newHeader: Buffer | undefined;
    if (headerToUpgrade !== undefined && version > 1) {
      newHeader = Buffer.from(headerLine(headerToUpgrade, version));
    } else if (multiPartSnapshot && header !== undefined && header.version < 3) {
      newHeader = await raisedHeader(handle, path, header, 3);
    }
    try {
      if (newHeader !== undefined) await writeFully(handle, newHeader, 0);
      for (let at = 0; at < bytes.length; at += MAX_WRITE) {
        await writeFully(handle, bytes.subarray(at, at + MAX_WRITE), committed + at);
      }
      if (syncAfterWrite) await handle.sync();
    } catch (error) {
      await undo(error);
    }
    committed += bytes.length;
    lastSeq = newLastSeq;
    kind = newKind;
    headerToUpgrade = undefined;
    if (newHeader !== undefined && header !== undefined) {
      header = { createdAt: header.createdAt, version: Math.max(header.version, version) };
    }
  };

  return {
    path,
    durability,
    lastSeq: async () => lastSeq,
    get committedBytes() {
      return committed;
    },
    get tornTailPath() {
      return tornTailPath;
    },

    validate: () => serializer.run(validateHere),

    async *load() {
      for await (const batch of loadBatches()) yield* batch;
    },

    loadBatches,

    append(events: readonly StoredEvent[], { expectedSeq }: AppendOptions) {
      // Appends called before `close()` are written, in call order, whether or not the store was
      // busy; appends called after it are refused at once (by the serializer).
      return serializer.run(() => appendHere(events, expectedSeq));
    },

    importEvents(events: AsyncIterable<StoredEvent>, { batchSize }: ImportEventsOptions) {
      // One turn of the queue for the whole import: no append of this store runs in between,
      // and the writer lock keeps every other writer out.
      return serializer.run(async () => {
        if (closed) throw new StoreClosedError();
        if (broken !== undefined) throw broken;
        if (!valid) await validateHere();
        if (lastSeq !== 0) throw new CopyTargetNotEmptyError(path);
        const start = committed;
        try {
          await appendInBatches(
            { append: (batch, { expectedSeq }) => appendHere(batch, expectedSeq) },
            events,
            batchSize,
          );
        } catch (error) {
          if (broken !== undefined || committed === start) throw error;
          // All or nothing: the batches already written go again, back to the empty session.
          committed = start;
          lastSeq = 0;
          await undo(error, false);
        }
      });
    },

    close() {
      return serializer.close(async () => {
        closed = true;
        try {
          await handle.close();
        } finally {
          await lock.release();
        }
      });
    },
  };
}
