import { type DialectRef, hasCode } from '@contextlog/core';
import { DEFAULT_KIND } from '@contextlog/core/store';
import { checkHeader, isHeaderLike, type SessionHeader } from '../format/header.js';
import { type FileHandleLike, readFully } from '../fs/file-system.js';
import { contextlogFormat } from '../read/contextlog-format.js';
import { detectFormatDetail, isTornHeader } from '../read/detect-format.js';
import type { SessionFormat } from '../read/session-format.js';

/** What a catalog makes of a file from its start. */
export interface Recognition {
  /** The format the file is in; undefined when no format claims it. */
  readonly format: SessionFormat | undefined;
  readonly header?: SessionHeader;
  /** What the session declares, when its first lines tell. */
  readonly dialect?: DialectRef;
  readonly estimator?: string;
  /** Why the file cannot be read as a session of `format` (or of any, without one). */
  readonly problem?: string;
  /**
   * True when the file is what the file store writes, by its start: a contextlog header (even
   * one this reader cannot use), an empty file, or the torn remains of a header.
   */
  readonly claimed: boolean;
}

/** The first lines read to recognize a file: a header and a declaration are far shorter. */
const BLOCK = 64 << 10;

const DEFAULTS = { dialect: DEFAULT_KIND.dialect, estimator: DEFAULT_KIND.estimator };
const EMPTY: Recognition = { format: contextlogFormat, ...DEFAULTS, claimed: true };

function parseJson(bytes: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/**
 * The dialect and estimator a version 2 file declares on its second line (`session.declared`,
 * or the snapshot it starts from), when that line is within `block`. Read only to list: the
 * counting read validates it.
 */
function declaredOnSecondLine(
  block: Buffer,
  start: number,
): Pick<Recognition, 'dialect' | 'estimator'> {
  const end = block.indexOf(10, start);
  if (end === -1) return {};
  const value = parseJson(block.subarray(start, end))?.value as
    | { type?: unknown; data?: { dialect?: unknown; estimator?: unknown; state?: unknown } }
    | undefined;
  const declared =
    value?.type === 'session.declared'
      ? value.data
      : value?.type === 'state.snapshotted'
        ? (value.data?.state as { dialect?: unknown; estimator?: unknown } | undefined)
        : undefined;
  const dialect = declared?.dialect as Partial<DialectRef> | undefined;
  if (typeof dialect?.name !== 'string' || typeof dialect.version !== 'number') return {};
  const { name, version } = dialect;
  return {
    dialect: { name, version },
    estimator:
      typeof declared?.estimator === 'string' ? declared.estimator : DEFAULT_KIND.estimator,
  };
}

/**
 * Tells what `handle` holds from its first block: a contextlog session by its header (an empty
 * file, or one holding only the torn remains of a header, is an empty session, as the file store
 * opens it); anything else by `formats`' detection (contextlog first). A file no format claims,
 * or a contextlog file without a usable header, gets a `problem`; nothing here throws for what
 * the file holds.
 */
export async function recognize(
  handle: FileHandleLike,
  size: number,
  path: string,
  formats: readonly SessionFormat[],
): Promise<Recognition> {
  if (size === 0) return EMPTY;
  const block = Buffer.allocUnsafe(Math.min(size, BLOCK));
  const head = block.subarray(0, await readFully(handle, block, 0, block.length, 0));
  const nl = head.indexOf(10);
  if (nl === -1 && head.length === size && isTornHeader(head)) return EMPTY;
  const first = nl === -1 ? undefined : parseJson(head.subarray(0, nl));
  if (first !== undefined && isHeaderLike(first.value)) {
    const header = checkHeader(first.value);
    if (typeof header === 'string') {
      return { format: contextlogFormat, problem: `line 1: ${header}`, claimed: true };
    }
    // Writers write version 2 only for a session that declares another dialect or estimator.
    const declared = header.version === 1 ? DEFAULTS : declaredOnSecondLine(head, nl + 1);
    return { format: contextlogFormat, header, ...declared, claimed: true };
  }
  let format: SessionFormat;
  let positive: boolean;
  try {
    ({ format, positive } = await detectFormatDetail(handle, size, path, formats));
  } catch (error) {
    if (hasCode(error, 'CORRUPT_SESSION')) {
      return { format: undefined, problem: error.reason, claimed: false };
    }
    throw error;
  }
  if (format.name !== contextlogFormat.name) return { format, claimed: false };
  return {
    format,
    claimed: false,
    problem: positive
      ? 'missing header: line 1 must be {"format":"contextlog",…}'
      : 'blank lines only (a contextlog file has none)',
  };
}
