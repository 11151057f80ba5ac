import { Writable } from 'node:stream';
import { createContext, type Message, openMemoryStore, stateToJson } from '@contextlog/core';
import { describe, expect, it } from 'vitest';
import { EMPTY_STATE } from '../expected-states.test-helper.js';
import { createSink } from './sink.js';
import { writeStateJson } from './state-json.js';

/** A slow consumer with a small buffer, so the writer has to wait for 'drain' many times. */
function slowStream() {
  const chunks: string[] = [];
  let waitedForDrain = 0;
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      setImmediate(callback);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    const ok = write(chunk);
    if (!ok) waitedForDrain++;
    maxBuffered = Math.max(maxBuffered, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return {
    stream,
    text: () => chunks.join(''),
    stats: () => ({ waitedForDrain, maxBuffered, writes: chunks.length }),
  };
}

describe('replay --json output', () => {
  it('is one JSON object equal to the state, written in bounded chunks with backpressure', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.setSystemPrompt('You are "quoted"\nand multi-line 你好');
    const messages: Message[] = [];
    for (let i = 0; i < 3000; i++) {
      messages.push({
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `message ${i} ${'x'.repeat(40)} 🎉`,
      });
    }
    await engine.appendMessages(messages);
    await engine.recordUsage(777);
    await engine.checkpoint({ addUserMessage: true, operationId: 'turn-1' });
    await engine.setMetadata('k', { nested: [1, null, 'two'] });
    const diagnostics = [
      { line: 3, offset: 120, severity: 'warning' as const, reason: 'torn tail' },
    ];

    const out = slowStream();
    await writeStateJson(createSink(out.stream), 'contextlog', engine.state, diagnostics);
    const parsed = JSON.parse(out.text());
    const state = stateToJson(engine.state) as Record<string, unknown>;
    delete state.pendingTextLength;
    expect(parsed).toEqual({ format: 'contextlog', ...state, diagnostics });
    expect(Object.keys(parsed)).toEqual([
      'format',
      'systemPrompt',
      'messages',
      'tokenCount',
      'pendingTokenEstimate',
      'tokenCountWithPending',
      'nextCheckpointId',
      'checkpoints',
      'metadata',
      'dialect',
      'estimator',
      'seq',
      'operations',
      'diagnostics',
    ]);
    const { waitedForDrain, maxBuffered, writes } = out.stats();
    expect(writes).toBeGreaterThan(2);
    expect(waitedForDrain).toBeGreaterThan(0);
    // Never more than one chunk (64 KB plus one piece) is handed to the stream unread.
    expect(maxBuffered).toBeLessThan(70 * 1024);
  });

  it('writes an empty session with empty lists', async () => {
    const engine = await createContext(await openMemoryStore());
    const out = slowStream();
    await writeStateJson(createSink(out.stream), 'kimi', engine.state, []);
    expect(JSON.parse(out.text())).toEqual({ format: 'kimi', ...EMPTY_STATE });
  });
});
