import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Text written in pieces to a stream, waiting for 'drain' when the stream asks it to. */
export interface Sink {
  write(text: string): Promise<void>;
  /** Writes what is buffered; the stream stays open (it may be process.stdout). */
  flush(): Promise<void>;
}

const CHUNK = 64 * 1024;

/**
 * Small pieces are gathered into chunks of ~64 KB, so a state of a million messages is a few
 * thousand writes; no piece is ever joined with more than a chunk's worth of others.
 */
export function createSink(stream: Writable): Sink {
  let buffer: string[] = [];
  let buffered = 0;
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  stream.on('error', onError);

  async function push(): Promise<void> {
    if (failure !== undefined) throw failure;
    if (buffered === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    buffered = 0;
    if (!stream.write(chunk)) {
      // Whichever event comes first, the other's listener goes too: a slow reader means
      // thousands of waits, and listeners left behind would pile up on the stream.
      const waiting = new AbortController();
      const { signal } = waiting;
      try {
        await Promise.race([once(stream, 'drain', { signal }), once(stream, 'error', { signal })]);
      } finally {
        waiting.abort();
      }
    }
    if (failure !== undefined) throw failure;
  }

  return {
    async write(text) {
      buffer.push(text);
      buffered += text.length;
      if (buffered >= CHUNK) await push();
    },
    flush: push,
  };
}
