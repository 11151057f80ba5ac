import { ValidationError } from '@contextlog/core';
import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { DuplicateMessageIdError, EmptyMessageIdError } from '../errors.js';
import { planSave } from './plan-save.js';

const user = (id: string, text: string): UIMessage => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});
const assistant = (id: string, ...parts: UIMessage['parts']): UIMessage => ({
  id,
  role: 'assistant',
  parts,
});
const toolCall = {
  type: 'tool-weather' as const,
  toolCallId: 'c1',
  state: 'input-available' as const,
  input: { city: 'Paris' },
};

describe('planSave', () => {
  const u1 = user('u1', 'Weather in Paris?');
  const a1 = assistant('a1', { type: 'step-start' }, toolCall);

  it('plans nothing for an equal list, keys set to undefined and key order aside', () => {
    // As the SDK makes them at run time; its types (under exactOptionalPropertyTypes) say no.
    const same = [
      { ...u1, metadata: undefined },
      {
        parts: a1.parts.map((part) => ({ ...part, providerMetadata: undefined })),
        role: 'assistant',
        id: 'a1',
      },
    ] as unknown as UIMessage[];
    expect(planSave([u1, a1], same)).toEqual({ kind: 'unchanged' });
    expect(planSave([], [])).toEqual({ kind: 'unchanged' });
  });

  it('appends a new turn', () => {
    const u2 = user('u2', 'And Rome?');
    expect(planSave([u1, a1], [u1, a1, u2])).toEqual({ kind: 'append', messages: [u2] });
    expect(planSave([], [u1])).toEqual({ kind: 'append', messages: [u1] });
  });

  it('replaces the message a client added a tool output to, guarded by what it was', () => {
    const answered = assistant(
      'a1',
      { type: 'step-start' },
      {
        ...toolCall,
        state: 'output-available',
        output: { sky: 'sunny' },
      },
    );
    expect(planSave([u1, a1], [u1, answered])).toEqual({
      kind: 'replace',
      from: 1,
      messages: [answered],
      expectedSuffix: [a1],
    });
  });

  it('replaces a regenerated answer (a new id) and pops what a shorter list leaves out', () => {
    const again = assistant('a1-bis', { type: 'text', text: 'Sunny.' });
    expect(planSave([u1, a1], [u1, again])).toMatchObject({ kind: 'replace', from: 1 });
    expect(planSave([u1, a1], [u1])).toEqual({
      kind: 'replace',
      from: 1,
      messages: [],
      expectedSuffix: [a1],
    });
    expect(planSave([u1, a1], [])).toEqual({
      kind: 'replace',
      from: 0,
      messages: [],
      expectedSuffix: [u1, a1],
    });
  });

  it('replaces from an earlier changed message even when the tail is the same', () => {
    const edited = user('u1', 'Weather in Rome?');
    expect(planSave([u1, a1], [edited, a1])).toEqual({
      kind: 'replace',
      from: 0,
      messages: [edited, a1],
      expectedSuffix: [u1, a1],
    });
  });

  it('refuses an empty or missing id, naming the message and the chat', () => {
    const error = captured(() => planSave([], [u1, { ...a1, id: '' }], { source: 'chat "c"' }));
    expect(error).toBeInstanceOf(EmptyMessageIdError);
    expect(error).toMatchObject({ code: 'EMPTY_MESSAGE_ID', index: 1 });
    expect(String(error)).toContain('chat "c": messages[1] has no id');
    expect(String(error)).toContain('generateMessageId');
    const missing = { role: 'user', parts: [] } as unknown as UIMessage;
    expect(() => planSave([], [missing])).toThrow(EmptyMessageIdError);
  });

  it('refuses duplicate ids, even where nothing else changed', () => {
    const error = captured(() => planSave([u1, a1, u1], [u1, a1, u1]));
    expect(error).toBeInstanceOf(DuplicateMessageIdError);
    expect(error).toMatchObject({ code: 'DUPLICATE_MESSAGE_ID', id: 'u1', indices: [0, 2] });
  });

  it('refuses a message that is not JSON data, naming the field, even if it compares equal', () => {
    const dated: UIMessage = { ...u1, metadata: { at: new Date(0) } };
    const stored: UIMessage[] = [{ ...u1, metadata: { at: {} } }];
    const error = captured(() => planSave(stored, [dated]));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ path: 'messages[0].metadata.at' });
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
