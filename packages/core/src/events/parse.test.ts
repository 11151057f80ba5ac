import { describe, expect, it } from 'vitest';
import { UnknownEventError, ValidationError } from '../errors/index.js';
import { parseStoredEvent } from './parse.js';

const at = '2026-01-01T00:00:00.000Z';

describe('parseStoredEvent', () => {
  it('keeps an own "__proto__" key in a tool call\'s extras, as JSON.parse made it', () => {
    const line =
      '{"seq":1,"v":1,"at":"2026-01-01T00:00:00.000Z","type":"messages.appended","data":{"messages":[{"role":"user","content":"x","tool_calls":[{"type":"function","id":"c","function":{"name":"f","arguments":null},"extras":{"__proto__":[1],"k":2}}]}]}}';
    const event = parseStoredEvent(JSON.parse(line));
    if (event.type !== 'messages.appended') throw new Error(event.type);
    const extras = event.data.messages[0]?.tool_calls?.[0]?.extras;
    expect(JSON.stringify(extras)).toBe('{"__proto__":[1],"k":2}');
    expect(Object.keys(extras ?? {})).toEqual(['__proto__', 'k']);
    expect(() =>
      parseStoredEvent({
        ...JSON.parse(line),
        data: {
          messages: [
            {
              role: 'user',
              content: 'x',
              tool_calls: [
                { type: 'function', id: 'c', function: { name: 'f', arguments: null }, extras: [] },
              ],
            },
          ],
        },
      }),
    ).toThrow(ValidationError);
  });

  it('accepts a stored event of every type', () => {
    const events = [
      { type: 'system_prompt.set', data: { prompt: 'p' } },
      { type: 'messages.appended', data: { messages: [{ role: 'user', content: 'hi' }] } },
      { type: 'usage.recorded', data: { tokenCount: 5 } },
      { type: 'checkpoint.created', data: { id: 0, addUserMessage: true } },
      { type: 'context.reverted', data: { checkpointId: 0 } },
      { type: 'context.cleared', data: {} },
      { type: 'context.compacted', data: { messages: [], tokenCount: 3 } },
      { type: 'metadata.set', data: { key: 'title', value: { nested: [1, 'x', null] } } },
      {
        type: 'state.snapshotted',
        data: {
          state: {
            systemPrompt: null,
            messages: [],
            tokenCount: 0,
            pendingTextLength: 0,
            nextCheckpointId: 0,
            checkpoints: [],
            metadata: {},
          },
        },
      },
    ];
    for (const [index, event] of events.entries()) {
      const stored = { seq: index + 1, v: 1, at, ...event };
      expect(parseStoredEvent(stored)).toEqual(stored);
    }
  });

  it('rejects an unknown event type with a typed error', () => {
    const error = catchError(() =>
      parseStoredEvent({ seq: 1, type: 'context.teleported', v: 1, at, data: {} }),
    );
    expect(error).toBeInstanceOf(UnknownEventError);
    expect(error).toMatchObject({ code: 'UNKNOWN_EVENT', type: 'context.teleported' });
  });

  it('rejects a version newer than it knows, never dropping it', () => {
    const error = catchError(() =>
      parseStoredEvent({ seq: 1, type: 'usage.recorded', v: 2, at, data: { tokenCount: 1 } }),
    );
    expect(error).toBeInstanceOf(UnknownEventError);
    expect((error as Error).message).toContain('v2 is newer');
  });

  it('upcasts version 0 shapes to version 1', () => {
    expect(
      parseStoredEvent({
        seq: 1,
        type: 'messages.appended',
        v: 0,
        at,
        data: { message: { role: 'user', content: 'old' } },
      }),
    ).toEqual({
      seq: 1,
      type: 'messages.appended',
      v: 1,
      at,
      data: { messages: [{ role: 'user', content: 'old' }] },
    });
    expect(
      parseStoredEvent({ seq: 2, type: 'usage.recorded', v: 0, at, data: { token_count: 9 } }),
    ).toEqual({ seq: 2, type: 'usage.recorded', v: 1, at, data: { tokenCount: 9 } });
  });

  it('says which version has no upcaster', () => {
    const error = catchError(() =>
      parseStoredEvent({ seq: 1, type: 'context.cleared', v: 0, at, data: {} }),
    );
    expect(error).toBeInstanceOf(UnknownEventError);
    expect((error as Error).message).toContain('no upcaster');
  });

  it('names the invalid field', () => {
    const error = catchError(() =>
      parseStoredEvent({
        seq: 1,
        type: 'messages.appended',
        v: 1,
        at,
        data: { messages: [{ role: 'user', content: [{ type: 'text', text: 7 }] }] },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('data.messages[0].content[0].text');
  });

  it('rejects empty appends, negative counts, and a missing seq', () => {
    for (const bad of [
      { seq: 1, type: 'messages.appended', v: 1, at, data: { messages: [] } },
      { seq: 1, type: 'usage.recorded', v: 1, at, data: { tokenCount: -1 } },
      { type: 'usage.recorded', v: 1, at, data: { tokenCount: 1 } },
      { seq: 0, type: 'usage.recorded', v: 1, at, data: { tokenCount: 1 } },
      'not an object',
    ]) {
      expect(() => parseStoredEvent(bad)).toThrow(ValidationError);
    }
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
