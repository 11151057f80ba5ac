import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSink } from './sink.js';

/** A stream that takes a chunk only a tick later, so nearly every write waits for 'drain'. */
function slowStream(): { stream: Writable; received: () => number } {
  let bytes = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      setImmediate(callback);
    },
  });
  return { stream, received: () => bytes };
}

describe('the stdout sink', () => {
  it('leaves no listener behind over many drains (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const { stream, received } = slowStream();
      let drains = 0;
      stream.on('drain', () => drains++);
      const baseline = {
        error: stream.listenerCount('error'),
        drain: stream.listenerCount('drain'),
      };
      const sink = createSink(stream);
      const piece = 'x'.repeat(1000);
      for (let i = 0; i < 3000; i++) await sink.write(piece);
      await sink.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(received()).toBe(3000 * 1000);
      expect(drains).toBeGreaterThan(20);
      // The sink's own error listener stays (one per sink); none per wait.
      expect(stream.listenerCount('error')).toBe(baseline.error + 1);
      expect(stream.listenerCount('drain')).toBe(baseline.drain);
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a stream that fails while the sink waits rejects the write', async () => {
    const stream = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(Object.assign(new Error('gone'), { code: 'EPIPE' })));
      },
    });
    const sink = createSink(stream);
    await expect(
      (async () => {
        for (let i = 0; i < 10; i++) {
          await sink.write('y'.repeat(70 * 1024));
        }
      })(),
    ).rejects.toMatchObject({ code: 'EPIPE' });
  });
});
