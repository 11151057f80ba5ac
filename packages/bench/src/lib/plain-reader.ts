import * as fs from 'node:fs';

const CHUNK_BYTES = 1024 * 1024;

export interface PlainReadResult {
  /** Non-empty lines parsed. */
  readonly lines: number;
  readonly bytes: number;
}

/**
 * The baseline every replay figure is compared with: the fastest plain JSONL reader we could
 * write. Synchronous reads into one reused 1 MiB buffer, a newline scan on the bytes, one
 * `toString('utf8')` and one `JSON.parse` per line; no validation, no state (each parsed value
 * is dropped; `keep`, when given, sees each). Measured slower here: decoding a whole chunk to one string and splitting it
 * (~0.6x: chunks with non-ASCII become two-byte strings), readline, 64 KiB or 4 MiB buffers
 * (same within noise).
 */
export function plainRead(path: string, keep?: (value: unknown) => void): PlainReadResult {
  const fd = fs.openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0; // bytes at the start of `buffer` not consumed yet (a partial line)
    let bytes = 0;
    let lines = 0;
    let sink: unknown;
    for (;;) {
      if (filled === buffer.length) {
        // A line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const read = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
      bytes += read;
      const end = filled + read;
      let start = 0;
      for (;;) {
        const newline = buffer.indexOf(10, start);
        if (newline === -1 || newline >= end) break;
        if (newline > start) {
          sink = JSON.parse(buffer.toString('utf8', start, newline));
          keep?.(sink);
          lines++;
        }
        start = newline + 1;
      }
      if (read === 0) {
        if (end > start) {
          sink = JSON.parse(buffer.toString('utf8', start, end));
          keep?.(sink);
          lines++;
        }
        break;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
    void sink;
    return { lines, bytes };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The floor of any replay that keeps what it read: the plain reader, keeping every message of
 * every `messages.appended` line as `JSON.parse` made it. No validation, no fold, no state; what
 * separates it from the plain reader is the cost of keeping ~200,000 messages alive (allocation
 * that survives, and the garbage collector copying it), which a replay into state cannot avoid.
 */
export function plainReadKeepingMessages(path: string): PlainReadResult & { messages: number } {
  const kept: unknown[] = [];
  const result = plainRead(path, (value) => {
    const event = value as { type?: unknown; data?: { messages?: unknown } };
    if (event.type !== 'messages.appended' || !Array.isArray(event.data?.messages)) return;
    for (const message of event.data.messages) kept.push(message);
  });
  return { ...result, messages: kept.length };
}
