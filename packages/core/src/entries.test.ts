import { describe, expect, it } from 'vitest';
import * as main from './index.js';
import * as store from './store-api.js';

describe('the two entries', () => {
  it('share no name: a store author imports each name from one place', () => {
    const both = Object.keys(store).filter((name) => name in main);
    expect(both).toEqual([]);
  });

  it('keep the store-only tools out of the agent entry', () => {
    for (const name of ['parseStoredEvent', 'checkBatchContinuity', 'createFold', 'foldEvents']) {
      expect(name in main, name).toBe(false);
      expect(name in store, name).toBe(true);
    }
    for (const name of ['createContext', 'openMemoryStore', 'copyEvents', 'hasCode']) {
      expect(name in main, name).toBe(true);
    }
  });
});
