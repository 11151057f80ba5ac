import type { SessionKind } from '@contextlog/core/store';

/** The first line of every contextlog session file. Not an event: it has no seq. */
export interface SessionHeader {
  readonly format: 'contextlog';
  readonly version: number;
  readonly createdAt: string;
}

/**
 * The newest header version this reader knows. Version 2 marks a session whose messages are not
 * kimi-cli's (it declares another dialect or estimator): a reader of version 1 refuses it as newer
 * than itself, instead of calling its messages corrupt. Version 3 marks a file whose snapshot
 * spans several lines (parts), which a reader of version 2 would call corrupt. Writers write the
 * lowest version that can represent the file, so a kimi-cli-shaped session stays readable by
 * older readers.
 */
export const FORMAT_VERSION = 3;

/** The header version a session of this kind needs (and, written in parts, its snapshot). */
export function headerVersionFor(
  kind: SessionKind,
  { multiPartSnapshot = false }: { readonly multiPartSnapshot?: boolean } = {},
): 1 | 2 | 3 {
  if (multiPartSnapshot) return 3;
  return kind.isDefault ? 1 : 2;
}

export function headerLine(createdAt: Date | string = new Date(), version: number = 1): string {
  const at = typeof createdAt === 'string' ? createdAt : createdAt.toISOString();
  return `${JSON.stringify({ format: 'contextlog', version, createdAt: at })}\n`;
}

export function isHeaderLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { format?: unknown }).format === 'contextlog'
  );
}

/** The header, or the reason this parsed JSON value is not a header this reader can use. */
export function checkHeader(value: unknown): SessionHeader | string {
  if (!isHeaderLike(value)) return 'not a contextlog header ({"format":"contextlog",…})';
  const { version, createdAt } = value as { version?: unknown; createdAt?: unknown };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return 'header.version: expected a positive integer';
  }
  if (version > FORMAT_VERSION) {
    return `header.version ${version} is newer than this reader, which knows up to ${FORMAT_VERSION}`;
  }
  if (typeof createdAt !== 'string') return 'header.createdAt: expected a string';
  return { format: 'contextlog', version, createdAt };
}
