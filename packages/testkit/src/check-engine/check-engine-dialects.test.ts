import { codePointLength, createContext, defineDialect, defineEstimator } from '@contextlog/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbOperation } from '../arbitraries/operation.js';
import { defineFuzzedDialect } from '../dialects/fuzzed-dialect.js';
import { type Note, notesDialect, notesFuzzedDialect } from '../dialects/notes-dialect.js';
import { checkEngine, fuzzRuns } from './check-engine.js';

const RUNS = fuzzRuns(60);

/** The notes dialect without a checkpoint message: `checkpoint({ addUserMessage: true })` is refused. */
const bareNotes = defineDialect<Note>({
  name: 'testkit-bare-notes',
  version: 1,
  schema: notesDialect.schema,
  textLength: notesDialect.textLength,
});

describe('checkEngine on a session that is not kimi-cli’s', () => {
  it('passes core’s engine of the notes dialect', async () => {
    await checkEngine((store) => createContext<Note>(store, { dialect: notesDialect }), {
      dialect: notesFuzzedDialect,
      numRuns: RUNS,
    });
  });

  it('passes an engine of a dialect without a checkpoint message, and of another estimator', async () => {
    const halves = defineEstimator({ name: 'testkit-halves', estimate: (n) => Math.ceil(n / 2) });
    await checkEngine(
      (store) => createContext<Note>(store, { dialect: bareNotes, estimator: halves }),
      {
        dialect: defineFuzzedDialect({
          ...notesFuzzedDialect,
          dialect: bareNotes,
          estimator: halves,
        }),
        numRuns: RUNS,
      },
    );
  });

  it('fires the dialect’s messages, never kimi-cli’s', () => {
    const operations = fc.sample(arbOperation({ dialect: notesFuzzedDialect, invalidWeight: 0 }), {
      numRuns: 300,
      seed: 3,
    });
    const messages = operations.flatMap((operation) => {
      switch (operation.kind) {
        case 'appendMessages':
          return Array.isArray(operation.messages) ? operation.messages : [operation.messages];
        case 'replaceMessage':
          return [operation.message];
        case 'replaceMessages':
        case 'compact':
          return operation.messages;
        default:
          return [];
      }
    });
    expect(messages.length).toBeGreaterThan(100);
    for (const message of messages)
      expect(notesDialect.schema.safeParse(message).success).toBe(true);
  });

  it('catches an engine that counts the dialect’s text otherwise than the dialect', async () => {
    // Same name and version, another count: live state and replay disagree on the pending
    // estimate, and the compaction's stored estimate is not the model's.
    const miscounting = defineDialect<Note>({
      ...notesDialect,
      textLength: (note) => notesDialect.textLength(note) + codePointLength(note.id),
    });
    await expect(
      checkEngine((store) => createContext<Note>(store, { dialect: miscounting }), {
        dialect: notesFuzzedDialect,
        numRuns: 200,
        seed: 20261206,
      }),
    ).rejects.toThrow(/broke its contract/);
  });

  it('refuses a fuzzed dialect whose invalid messages its schema accepts', () => {
    expect(() =>
      defineFuzzedDialect({
        ...notesFuzzedDialect,
        invalidMessages: [{ id: 'n', role: 'user', parts: [] }],
      }),
    ).toThrow(/invalidMessages\[0\]: the testkit-notes dialect's schema accepts it/);
  });
});
