import type { ContextState, DialectOptions, StoredEvent } from '@contextlog/core';
import type { SessionHeader } from '../format/header.js';
import type { FileSystem } from '../fs/file-system.js';
import type { SessionFormat, SessionFormatName, TornTail } from './session-format.js';

export type ReadMode = 'strict' | 'lenient';

/** Something a reader noticed, and where: 1-based line, byte offset of the line's start. */
export interface Diagnostic {
  readonly line: number;
  readonly offset: number;
  readonly severity: 'warning' | 'error';
  readonly reason: string;
}

export interface ReadProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
}

/**
 * `dialects` and `estimators`: those the reader knows besides kimi-cli's. A session in a dialect
 * it does not know is read all the same, its messages as JSON objects, with a warning.
 */
export interface ReadSessionOptions extends DialectOptions {
  /**
   * The formats the file may be in, asked in this order (default: contextlog only). Pass
   * `[contextlogFormat, kimiFormat]` (from `@contextlog/kimi`) to read kimi-cli files too.
   */
  readonly formats?: readonly SessionFormat[];
  /** `'auto'` (default) tells the formats apart by the content; a name picks one of `formats`. */
  readonly format?: 'auto' | SessionFormatName;
  /** `'strict'` (default) stops at the first corruption; `'lenient'` skips it with a diagnostic. */
  readonly mode?: ReadMode;
  /** Called after each chunk read. */
  readonly onProgress?: (progress: ReadProgress) => void;
  /** Also return the events (memory then grows with the file, not only with the state). */
  readonly withEvents?: boolean;
  /**
   * Called with each event once it is folded into the state, in order: for a reader that builds
   * something beside the state in the same pass (an export), without keeping the events.
   */
  readonly onEvent?: (event: StoredEvent) => void;
  readonly fs?: FileSystem;
}

export interface ReadCounts {
  /** Lines seen, the header, blank lines and a torn tail included. */
  readonly lines: number;
  /** Events folded into the state (one per record, for a format whose lines are records). */
  readonly events: number;
  /** Lines skipped as invalid (lenient mode) and torn tails ignored. */
  readonly skipped: number;
  /** Blank lines, in a format that allows them (contextlog files have none). */
  readonly blank: number;
  /** Bytes read: the file size when the read started. */
  readonly bytes: number;
}

export interface ReadSessionResult {
  /** The name of the format the file was read as. */
  readonly format: SessionFormatName;
  readonly state: ContextState;
  readonly diagnostics: readonly Diagnostic[];
  readonly counts: ReadCounts;
  /** The header line of a contextlog file (absent for other formats and empty files). */
  readonly header?: SessionHeader;
  /** Present when `withEvents` was asked for. */
  readonly events?: readonly StoredEvent[];
  /**
   * Where the file's torn tail (an unfinished write, never acknowledged) starts and its length,
   * when it ends in one; it is also among the diagnostics. Reading leaves it in place: opening
   * the session sets it aside.
   */
  readonly tornTail?: TornTail;
}
