import { codePointLength, type Dialect, defineDialect } from '@contextlog/core';
import fc from 'fast-check';
import { z } from 'zod';
import { arbJsonValue } from '../arbitraries/json-value.js';
import { arbName, arbText } from '../arbitraries/strings.js';
import { defineFuzzedDialect, type FuzzedDialect } from './fuzzed-dialect.js';

/**
 * A message unlike kimi-cli's, shaped as UI message formats are: an id, a role, and parts. For
 * running an adapter's tests and the conformance checks on a session that is not kimi-cli's.
 */
export const NoteSchema = z.looseObject({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  parts: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
});
export type Note = z.infer<typeof NoteSchema>;

/** The `testkit-notes` dialect: its text is that of its parts' `text`, in code points. */
export const notesDialect: Dialect<Note> = defineDialect<Note>({
  name: 'testkit-notes',
  version: 1,
  schema: NoteSchema,
  textLength(note) {
    let length = 0;
    for (const part of note.parts)
      if (part.text !== undefined) length += codePointLength(part.text);
    return length;
  },
  checkpointMessage: (id) => ({
    id: `checkpoint-${id}`,
    role: 'user',
    parts: [{ type: 'text', text: `checkpoint ${id}` }],
  }),
});

/** Notes with odd text, unknown part kinds and extra keys: what a dialect's arbitrary brings. */
export function arbNote(): fc.Arbitrary<Note> {
  const part = fc.oneof(
    fc.record({ type: fc.constant('text'), text: arbText() }),
    fc.record({
      type: fc.constantFrom('reasoning', 'x-future'),
      text: arbText(),
      extra: arbJsonValue(),
    }),
    fc.record({ type: fc.constant('file'), url: fc.webUrl() }),
  );
  return fc.record(
    {
      id: arbName(),
      role: fc.constantFrom('user' as const, 'assistant' as const),
      parts: fc.array(part, { maxLength: 3 }),
      metadata: arbJsonValue(),
    },
    { requiredKeys: ['id', 'role', 'parts'] },
  );
}

/** The notes dialect as `checkEngine` fuzzes it. */
export const notesFuzzedDialect: FuzzedDialect<Note> = defineFuzzedDialect<Note>({
  dialect: notesDialect,
  arbMessage: arbNote,
  invalidMessages: [
    { id: 'n', role: 'robot', parts: [] },
    { id: '', role: 'user', parts: [] },
    { id: 'n', role: 'user' },
    { id: 'n', role: 'user', parts: [{ text: 'no type' }] },
    null,
  ],
});
