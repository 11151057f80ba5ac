/** The first line of every contextlog session file. Not an event: it has no seq. */
export interface SessionHeader {
  readonly format: 'contextlog';
  readonly version: number;
  readonly createdAt: string;
}

export const FORMAT_VERSION = 1;

export function headerLine(createdAt: Date = new Date()): string {
  return `${JSON.stringify({ format: 'contextlog', version: FORMAT_VERSION, createdAt: createdAt.toISOString() })}\n`;
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
