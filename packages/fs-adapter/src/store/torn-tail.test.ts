import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { readSessionFile } from '../read/read-session-file.js';
import { sharedTempDir } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

const scratch = sharedTempDir();

const runs = Number(process.env.FUZZ_RUNS ?? 2);
let case_ = 0;

test.prop(
  [
    fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 2, maxLength: 4 }),
    fc.integer({ min: 1, max: 2 }),
  ],
  { numRuns: runs },
)(
  'a file cut at every byte of its header and of its last lines replays to its longest complete prefix; reopening keeps the cut bytes aside',
  async (texts, lastLines) => {
    const sub = join(scratch.path, String(case_++));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(sub);
    const path = join(sub, 's.jsonl');
    const engine = await openFileSession(path, { durability: 'os' });
    for (const text of texts) {
      await engine.appendMessages({ role: 'user', content: text });
      await engine.checkpoint();
    }
    await engine.close();
    const full = await readFile(path);
    const events = (await readSessionFile(path, { withEvents: true })).events as StoredEvent[];
    // End offset of each line (just past its `\n`): the header, then one per event.
    const ends: number[] = [];
    for (let i = 0; i < full.length; i++) if (full[i] === 10) ends.push(i + 1);
    const from = ends[ends.length - 1 - lastLines] ?? 0;
    const headerEnd = ends[0] ?? 0;
    // Inside the header (a crash while a new session's header was written), then the last lines.
    const cuts: number[] = [];
    for (let cut = 0; cut < headerEnd; cut++) cuts.push(cut);
    for (let cut = Math.max(from, headerEnd); cut < full.length; cut++) cuts.push(cut);
    const cutPath = join(sub, 'cut.jsonl');
    for (const cut of cuts) {
      const prefix = full.subarray(0, cut);
      await writeFile(cutPath, prefix);
      const complete = ends.filter((end) => end <= cut);
      const boundary = complete.at(-1) ?? 0;
      const kept = events.slice(0, Math.max(0, complete.length - 1));
      const read = await readSessionFile(cutPath);
      expect(stateToJson(read.state)).toEqual(stateToJson(foldEvents(kept)));
      expect(read.diagnostics.map((d) => d.severity)).toEqual(cut === boundary ? [] : ['warning']);

      const store = await openFileStore(cutPath, { durability: 'os' });
      expect(await store.lastSeq()).toBe(kept.at(-1)?.seq ?? 0);
      if (cut === boundary) {
        expect(store.tornTailPath).toBeUndefined();
      } else {
        expect(store.tornTailPath).toBe(`${cutPath}.torn-${boundary}`);
        expect(await readFile(`${cutPath}.torn-${boundary}`)).toEqual(prefix.subarray(boundary));
      }
      const at = new Date().toISOString();
      const next = (await store.lastSeq()) + 1;
      await store.append(
        [{ seq: next, v: 1, at, type: 'usage.recorded', data: { tokenCount: 1 } }],
        {
          expectedSeq: await store.lastSeq(),
        },
      );
      await store.close();
      const after = await readSessionFile(cutPath);
      expect(after.diagnostics).toEqual([]);
      expect(after.state.seq).toBe(next);
      for (const name of await readdir(sub)) {
        if (name.startsWith('cut.jsonl.torn-')) {
          const { unlink } = await import('node:fs/promises');
          await unlink(join(sub, name));
        }
      }
    }
  },
);
