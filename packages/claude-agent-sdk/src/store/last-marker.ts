import { open } from 'node:fs/promises';
import type { SummaryMarker } from '../dialect/summary-marker.js';
import { summaryMarkerOf } from '../dialect/summary-marker.js';

const CHUNK = 64 * 1024;

/**
 * The marker that ends a session file's last line, read from the end of the file: every append
 * of this store is one `messages.appended` event whose last message is its marker, so a listing
 * costs one short read per session, however long its transcript. `undefined` when the last line
 * is not such an event (a line still being written by another process, a torn tail, a session
 * created but never appended to): the caller then reads the whole file.
 */
export async function lastMarkerOfFile(path: string): Promise<SummaryMarker | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 2) return undefined;
    const chunks: Buffer[] = [];
    let end = size;
    let start = -1;
    while (end > 0 && start < 0) {
      const from = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - from);
      await handle.read(chunk, 0, chunk.length, from);
      if (end === size && chunk.at(-1) !== 0x0a) return undefined; // no complete last line
      chunks.unshift(chunk);
      // The newline before the last line: not the one that ends it.
      const limit = end === size ? chunk.length - 1 : chunk.length;
      const at = chunk.subarray(0, limit).lastIndexOf(0x0a);
      if (at >= 0) start = from + at + 1;
      end = from;
    }
    const tail = Buffer.concat(chunks);
    const line = tail.subarray(start < 0 ? 0 : start - end, tail.length - 1).toString('utf8');
    return markerOfEventLine(line);
  } finally {
    await handle.close();
  }
}

function markerOfEventLine(line: string): SummaryMarker | undefined {
  const event = parseOrUndefined(line);
  if (typeof event !== 'object' || event === null) return undefined;
  const { type, data } = event as { type?: unknown; data?: unknown };
  return type === 'messages.appended' ? markerOfData(data) : undefined;
}

/**
 * The marker that ends a stored event's data (JSON text, as PostgreSQL gives a session's head
 * event), or `undefined` when the event is no append of this store.
 */
export function markerOfEventData(text: string): SummaryMarker | undefined {
  return markerOfData(parseOrUndefined(text));
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function markerOfData(data: unknown): SummaryMarker | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { messages } = data as { messages?: unknown };
  return Array.isArray(messages) ? summaryMarkerOf(messages.at(-1)) : undefined;
}
