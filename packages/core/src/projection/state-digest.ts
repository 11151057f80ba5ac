import type { ContextState } from './state.js';

/**
 * A digest of the state's JSON text (the text `JSON.stringify(stateToJson(state))` would be),
 * built a list item at a time: two states are equal, as copies are checked, when their digests
 * are, and neither is ever held as one string (a state can pass the longest string JavaScript
 * builds). Two 32-bit FNV-1a lanes with different seeds: for telling a faithful copy from a
 * damaged one, not for an adversary.
 */
export function stateDigest<M>(state: ContextState<M>): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  let length = 0;
  for (const text of stateJsonPieces(state)) {
    length += text.length;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      a = Math.imul(a ^ code, 0x01000193);
      b = Math.imul(b ^ code, 0x0100019d) ^ (b >>> 15);
    }
  }
  return `${length}:${(a >>> 0).toString(16)}${(b >>> 0).toString(16)}`;
}

/** The state's JSON text in pieces of at most one list item each; joined, `JSON.stringify(state)`. */
export function* stateJsonPieces<M>(state: ContextState<M>): Generator<string> {
  const record = state as unknown as Record<string, unknown>;
  yield '{';
  let first = true;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined || typeof value === 'function') continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      yield JSON.stringify(value);
      continue;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      // As JSON.stringify renders an array's undefined items.
      yield `${i === 0 ? '' : ','}${JSON.stringify(value[i]) ?? 'null'}`;
    }
    yield ']';
  }
  yield '}';
}
