import type { StoredEvent } from '@contextlog/core';
import type { FileHandleLike } from '@contextlog/fs-adapter';
import { writeFully } from '@contextlog/fs-adapter/formats';

const INITIAL_BYTES = 2 << 20;
const NEWLINE = 10;

/**
 * Builds a new contextlog file's lines in a reused buffer and writes them in large positional
 * writes (one per input chunk), never holding more than a chunk's lines. While one buffer is being
 * written the other fills (two buffers, so the kernel's copy overlaps the next chunk's decoding).
 */
export interface EventLineWriter {
  /** Any line (the header): its text must end in `\n`. */
  text(line: string): void;
  /** A line's text without its `\n`, which this adds. */
  line(text: string): void;
  /** Bytes built and not yet handed to a write (for the caller's flush decisions). */
  readonly buffered: number;
  /** An event as `JSON.stringify` writes it, then `\n`. */
  event(event: StoredEvent): void;
  /**
   * A `messages.appended` event of one message, given as the JSON text of that message
   * (`bytes[start, end)`, valid UTF-8): written as the envelope around those very bytes.
   */
  splicedMessage(seq: number, bytes: Buffer, start: number, end: number): void;
  /** Starts writing what was built so far; waits for the write before it (not for this one). */
  flush(): Promise<void>;
  /** Writes the rest and waits for every write. Returns the bytes written. */
  finish(): Promise<number>;
  /** Waits for a write still running, whatever its outcome (before giving the file up). */
  abandon(): Promise<void>;
}

export function createEventLineWriter(
  handle: FileHandleLike,
  at: string,
  earlySyncBytes?: number,
): EventLineWriter {
  let buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  let spare = Buffer.allocUnsafe(INITIAL_BYTES);
  let length = 0;
  let written = 0;
  let inFlight: Promise<void> = Promise.resolve();
  // Early fsyncs while the import goes on (in the thread pool, beside the decoding), so the
  // caller's final fsync finds little left to write back.
  let syncing: Promise<void> | undefined;
  const syncs: Promise<void>[] = [];
  let unsynced = 0;

  // `{"seq":N,"type":"messages.appended","v":1,"at":"…","data":{"messages":[MESSAGE]}}\n`: the
  // key order `JSON.stringify` gives the events built by `event()` (seq, type, v, at, data).
  const head = Buffer.from('{"seq":', 'latin1');
  const envelopeOf = (type: string) =>
    `,"type":"${type}","v":1,"at":${JSON.stringify(at)},"data":{`;
  const middle = Buffer.from(`${envelopeOf('messages.appended')}"messages":[`, 'utf8');
  const tail = Buffer.from(']}}\n', 'latin1');
  const usage = Buffer.from(`${envelopeOf('usage.recorded')}"tokenCount":`, 'utf8');
  const close = Buffer.from('}}\n', 'latin1');
  const checkpoint = Buffer.from(`${envelopeOf('checkpoint.created')}"id":`, 'utf8');
  const withMessage = Buffer.from(',"addUserMessage":true}}\n', 'latin1');
  const withoutMessage = Buffer.from(',"addUserMessage":false}}\n', 'latin1');
  const envelope = head.length + 16 + middle.length + tail.length;

  const reserve = (bytes: number) => {
    if (length + bytes <= buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + bytes));
    buffer.copy(grown, 0, 0, length);
    buffer = grown;
  };

  const put = (bytes: Buffer) => {
    for (let i = 0; i < bytes.length; i++) buffer[length + i] = bytes[i] as number;
    length += bytes.length;
  };

  const putDigits = (value: number) => {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let rest = value;
    for (let i = length + digits - 1; i >= length; i--) {
      buffer[i] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    length += digits;
  };

  const putString = (text: string) => {
    reserve(text.length * 3 + 1);
    length += buffer.write(text, length, 'utf8');
  };

  return {
    text: putString,
    line(text) {
      putString(text);
      buffer[length++] = NEWLINE;
    },
    get buffered() {
      return length;
    },
    event(event) {
      // The two small records of every few lines, without JSON.stringify: the same bytes.
      if (event.at === at && event.type === 'usage.recorded') {
        reserve(usage.length + 48);
        put(head);
        putDigits(event.seq);
        put(usage);
        putDigits(event.data.tokenCount);
        put(close);
        return;
      }
      // Alike the usage path above, but its own fixed record: only put and putDigits are shared.
      if (event.at === at && event.type === 'checkpoint.created') {
        reserve(checkpoint.length + 64);
        put(head);
        putDigits(event.seq);
        put(checkpoint);
        putDigits(event.data.id);
        put(event.data.addUserMessage ? withMessage : withoutMessage);
        return;
      }
      putString(JSON.stringify(event));
      buffer[length++] = NEWLINE;
    },
    splicedMessage(seq, bytes, start, end) {
      reserve(envelope + end - start);
      put(head);
      putDigits(seq);
      buffer.set(middle, length);
      length += middle.length;
      // TypedArray#set with a view: what Buffer#copy does, without its argument checks.
      buffer.set(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start), length);
      length += end - start;
      put(tail);
    },
    async flush() {
      await inFlight;
      if (length === 0) return;
      const full = buffer;
      const position = written;
      const bytes = length;
      inFlight = writeFully(handle, full.subarray(0, bytes), position);
      // Keep the next write from starting on a rejection nobody awaits yet.
      inFlight.catch(() => undefined);
      unsynced += bytes;
      if (earlySyncBytes !== undefined && unsynced >= earlySyncBytes && syncing === undefined) {
        unsynced = 0;
        const started = inFlight.then(() => handle.sync());
        started.catch(() => undefined);
        syncing = started;
        syncs.push(started);
        started.then(
          () => {
            if (syncing === started) syncing = undefined;
          },
          () => undefined,
        );
      }
      written += bytes;
      buffer = spare.length >= full.length ? spare : Buffer.allocUnsafe(full.length);
      spare = full;
      length = 0;
    },
    async finish() {
      await this.flush();
      await inFlight;
      await Promise.all(syncs);
      return written;
    },
    async abandon() {
      length = 0;
      await Promise.allSettled([inFlight, ...syncs]);
    },
  };
}
