import { describe, expect, it } from 'vitest';
import { createContext } from '../engine/create-context.js';
import { openMemoryStore } from '../store/memory-store.js';
import { stateToJson } from './state.js';
import { stateDigest, stateJsonPieces } from './state-digest.js';

async function session(last: string) {
  const engine = await createContext(await openMemoryStore());
  await engine.setSystemPrompt('be brief');
  await engine.appendMessages([
    { role: 'user', content: 'a' },
    { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
  ]);
  const mark = await engine.checkpoint({ operationId: 'op-1' });
  await engine.appendMessages({ role: 'user', content: last });
  await engine.setMetadata('k', { nested: [1, 'two', null] });
  await engine.recordUsage(12);
  await engine.revertTo(mark);
  await engine.appendMessages({ role: 'user', content: last });
  return engine.state;
}

describe('stateDigest', () => {
  it("is built from pieces that join into the state's JSON text", async () => {
    const state = await session('c');
    expect([...stateJsonPieces(state)].join('')).toBe(JSON.stringify(stateToJson(state)));
    const empty = (await createContext(await openMemoryStore())).state;
    expect([...stateJsonPieces(empty)].join('')).toBe(JSON.stringify(stateToJson(empty)));
  });

  it('is equal for equal states and differs when one character does', async () => {
    expect(stateDigest(await session('c'))).toBe(stateDigest(await session('c')));
    expect(stateDigest(await session('c'))).not.toBe(stateDigest(await session('d')));
  });
});
