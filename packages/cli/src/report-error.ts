import {
  ContextlogError,
  type ContextlogErrorCode,
  type ContextlogErrorCodes,
  codeOf,
} from '@contextlog/core';
import { errorCodeEntry } from './error-table.js';

export interface ErrorReport {
  readonly exitCode: number;
  /** What goes to stderr: one line for a user's mistake, a stack for a bug. */
  readonly text: string;
}

/** System errors a user causes by pointing at the wrong path (or a full disk). */
const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a session file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EDQUOT: 'disk quota exceeded',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
};

interface SystemErrorShape {
  readonly path?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly severity?: unknown;
}

// A pattern that starts with `\s*` and needs a line break after it rescans a run of spaces from
// each of its starts (a 200 KB run took 40 s). `\s+` with nothing after it matches each run once.
const WHITESPACE_RUN = /\s+/g;
const LINE_BREAK = /[\r\n]/;

/** Keeps a user-facing message on one line, whatever the reason quoted: linear in its length. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(WHITESPACE_RUN, (run) => (LINE_BREAK.test(run) ? ' ' : run)).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function whereOf({ path, address, port, hostname }: SystemErrorShape): string {
  if (typeof path === 'string') return `${path}: `;
  if (typeof address === 'string')
    return `${address}${typeof port === 'number' ? `:${port}` : ''}: `;
  if (typeof hostname === 'string') return `${hostname}: `;
  return '';
}

export function reportError(error: unknown): ErrorReport {
  if (error instanceof Error) {
    const code = codeOf(error);
    // Errors contextlog raises on purpose: their message already says what and where.
    const entry = code === undefined ? undefined : errorCodeEntry(code);
    if (entry !== undefined) {
      // Its code is the table's: it is that code's error, from this copy or another.
      const coded = error as ContextlogErrorCodes[ContextlogErrorCode];
      return {
        exitCode: entry.exitCode,
        text: `contextlog: ${oneLine(entry.phrase?.(coded) ?? error.message)}`,
      };
    }
    // A contextlog error of a package newer than this table: its message says what and where.
    if (error instanceof ContextlogError) {
      return { exitCode: 1, text: `contextlog: ${oneLine(error.message)}` };
    }
    if (code !== undefined && code in SYSTEM_REASONS) {
      const where = whereOf(error as SystemErrorShape);
      return { exitCode: 1, text: `contextlog: ${oneLine(`${where}${SYSTEM_REASONS[code]}`)}` };
    }
    // A PostgreSQL server's answer (bad password, no such database …): its SQLSTATE and text.
    const { severity } = error as SystemErrorShape;
    if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string') {
      return { exitCode: 1, text: `contextlog: PostgreSQL ${code}: ${oneLine(error.message)}` };
    }
  }
  const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  return {
    exitCode: 1,
    text: `contextlog: internal error (please report it with the command you ran)\n${stack}`,
  };
}
