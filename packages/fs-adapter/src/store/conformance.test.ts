import { join } from 'node:path';
import { createContext } from '@contextlog/core';
import { checkEngine, fuzzRuns, type StoreUnderTest } from '@contextlog/testkit';
import { checkStore } from '@contextlog/testkit/vitest';
import { describe, it } from 'vitest';
import { sharedTempDir } from '../testing/vitest.js';
import { type Durability, openFileStore } from './file-store.js';

const scratch = sharedTempDir();

const fileStore =
  (durability: Durability) =>
  async (id: string): Promise<StoreUnderTest> => {
    const path = join(scratch.path, `${id}.jsonl`);
    const open = () => openFileStore(path, { durability });
    // A second store on the file is refused by the lock (SessionLockedError): the two-writer
    // check counts that as a pass. No stall hook: see the testkit README on the file store.
    return { store: await open(), reopen: open, openAnother: open };
  };

checkStore('file store (fsync)', fileStore('fsync'));
checkStore('file store (os)', fileStore('os'));

describe('checkEngine on the file store', () => {
  it('core engine passes', async () => {
    await checkEngine((store) => createContext(store), {
      makeStore: fileStore('os'),
      numRuns: fuzzRuns(25),
    });
  });
  it("core engine passes with 'fsync' durability", async () => {
    await checkEngine((store) => createContext(store), {
      makeStore: fileStore('fsync'),
      numRuns: fuzzRuns(10),
    });
  });
});
