import { createContext, openMemoryStore } from '@contextlog/core';
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
