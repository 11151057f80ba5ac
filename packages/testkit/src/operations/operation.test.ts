import { codeOf, createContext, openMemoryStore } from '@contextlog/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as testkit from '../index.js';

describe('operations: the fuzzing model', () => {
  it('runOperation performs an operation on the engine', async () => {
    const engine = await createContext(await openMemoryStore());
    await testkit.runOperation(engine, { kind: 'setMetadata', key: 'k', value: 1 });
    expect(engine.state.metadata).toEqual({ k: 1 });
    await engine.close();
  });

  it('keeps the former "command" names one release, as the same functions', () => {
    expect(testkit.runCommand).toBe(testkit.runOperation);
    expect(testkit.arbCommand).toBe(testkit.arbOperation);
    expect(testkit.arbCommandSequence).toBe(testkit.arbOperationSequence);
  });
});

describe('the model of edits and operation ids', () => {
  it('generated sequences apply edits, hold guards, repeat and conflict, as the engine does', async () => {
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
    const sequences = testkit.arbOperationSequence({ minLength: 15, maxLength: 30 });
    for (const sequence of fc.sample(sequences, { numRuns: 60, seed: 14 })) {
      const store = await openMemoryStore();
      const engine = await createContext(store);
      for (const operation of sequence) {
        const outcome = testkit.expectedOutcome(operation, engine.state);
        const seq = engine.state.seq;
        const settled = await testkit.runOperation(engine, operation).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        // The engine does what the model says.
        if (outcome.kind === 'invalid') {
          expect(settled.ok).toBe(false);
          if (!settled.ok) expect(codeOf(settled.error)).toBe(outcome.code);
        } else {
          expect(settled).toMatchObject({ ok: true });
          if (outcome.kind === 'repeat' && settled.ok)
            expect(settled.value).toEqual(outcome.result);
          const written = outcome.kind === 'event' ? 1 : 0;
          expect(engine.state.seq).toBe(seq + written);
          if (outcome.kind === 'event') {
            const event = store.events.at(-1);
            expect(event?.type).toBe(outcome.event.type);
            expect(event?.op).toBe(outcome.op);
          }
        }
        const kind = operation.kind.startsWith('replace') ? operation.kind : 'other';
        count(`${kind}:${outcome.kind === 'invalid' ? outcome.code : outcome.kind}`);
        if (operation.kind === 'replaceMessages' && operation.expectedSuffix !== undefined) {
          count(`guard:${outcome.kind === 'event' ? 'held' : 'other'}`);
        }
      }
      await engine.close();
    }
    for (const key of [
      'replaceMessages:event',
      'replaceMessages:VALIDATION',
      'replaceMessages:HISTORY_MISMATCH',
      'replaceMessage:event',
      'replaceMessage:VALIDATION',
      'guard:held',
      'other:repeat',
      'other:OPERATION_CONFLICT',
    ]) {
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(0);
    }
  });
});
