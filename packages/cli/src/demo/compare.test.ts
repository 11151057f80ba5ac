import { createContext, openMemoryStore } from '@contextlog/core';
import { describe, expect, it } from 'vitest';
import { compareStates, sideBySide } from './compare.js';

async function sampleState(extra?: string) {
  const engine = await createContext(await openMemoryStore());
  await engine.setSystemPrompt('prompt');
  await engine.appendMessages({ role: 'user', content: 'hello 你好' });
  await engine.recordUsage(10);
  if (extra !== undefined) await engine.appendMessages({ role: 'assistant', content: extra });
  return engine.state;
}

describe("the demo's comparison", () => {
  it('finds equal states equal, with equal hashes and no ≠ in the table', async () => {
    const [a, b] = [await sampleState(), await sampleState()];
    const comparison = compareStates(a, b);
    expect(comparison).toMatchObject({ equal: true, differing: [] });
    expect(comparison.hashes[0]).toBe(comparison.hashes[1]);
    expect(sideBySide(a, b, comparison).join('\n')).not.toContain('≠');
  });

  it('names the fields that differ and marks them', async () => {
    const [a, b] = [await sampleState(), await sampleState('one more')];
    const comparison = compareStates(a, b);
    expect(comparison.equal).toBe(false);
    expect(comparison.differing).toEqual(
      expect.arrayContaining(['messages', 'pendingTextLength', 'seq']),
    );
    expect(comparison.hashes[0]).not.toBe(comparison.hashes[1]);
    const table = sideBySide(a, b, comparison).join('\n');
    expect(table).toMatch(/messages\s+1\s+≠\s+2/);
    expect(table).toMatch(/state sha-256 .*≠/);
  });

  it('ignores only the fields it is told to', async () => {
    const engine = await createContext(await openMemoryStore());
    await engine.appendMessages({ role: 'user', content: 'x' });
    const before = engine.state;
    await engine.setMetadata('k', 1);
    expect(compareStates(before, engine.state, ['seq', 'metadata']).equal).toBe(true);
    expect(compareStates(before, engine.state, ['seq']).differing).toEqual(['metadata']);
  });
});
