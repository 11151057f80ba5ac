import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { it } from '../test-support.test-helper.js';
import { PG_URL } from './pg-backends.test-helper.js';

const COPY_MODULE = fileURLToPath(new URL('../../dist/copy/copy-session.js', import.meta.url));

/** About 20 MB of 1 KB messages: a state of about 20 MB in the heap. */
const SESSION_MB = 20;
/**
 * The child's heap (old space): room for one such state and a constant, not for two (the copy
 * checked the copy by holding the source's state, the target's, and each as a JSON string).
 */
const HEAP_MB = 64;

function writeSession(path: string): number {
  const fd = openSync(path, 'w');
  let seq = 0;
  try {
    writeSync(fd, '{"format":"contextlog","version":1,"createdAt":"2026-01-01T00:00:00.000Z"}\n');
    const text = 'abcdefghij'.repeat(100);
    let chunk: string[] = [];
    for (let bytes = 0; bytes < SESSION_MB * 2 ** 20; ) {
      seq++;
      const data =
        seq % 20 === 0
          ? `"usage.recorded","v":1,"at":"2026-01-01T00:00:00.000Z","data":{"tokenCount":${seq}}`
          : `"messages.appended","v":1,"at":"2026-01-01T00:00:00.000Z","data":{"messages":[{"role":"user","content":"${seq} ${text}"}]}`;
      const line = `{"seq":${seq},"type":${data}}\n`;
      chunk.push(line);
      bytes += line.length;
      if (chunk.length === 1000) {
        writeSync(fd, chunk.join(''));
        chunk = [];
      }
    }
    writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
  return seq;
}

/** Runs `copySession(a, b)` for each pair, in order, in a node with a heap of HEAP_MB. */
function copyInSmallHeap(pairs: readonly (readonly [string, string])[], cwd: string) {
  const script = `const { copySession } = await import(process.argv[1]);
const pairs = JSON.parse(process.argv[2]);
const events = [];
for (const [from, to] of pairs) events.push((await copySession(from, to)).events);
console.log(JSON.stringify(events));`;
  return spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MB}`,
      '--input-type=module',
      '-e',
      script,
      COPY_MODULE,
      JSON.stringify(pairs),
    ],
    { cwd, encoding: 'utf8', timeout: 240_000 },
  );
}

describe('copy holds one state, not the session twice', () => {
  it(`copies a ${SESSION_MB} MB session file to a file in a ${HEAP_MB} MB heap`, async ({
    dir,
  }) => {
    const source = join(dir, 'source.jsonl');
    const events = writeSession(source);
    const result = copyInSmallHeap([[source, join(dir, 'copy.jsonl')]], dir);
    expect(result.stderr).not.toMatch(/heap out of memory/);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([events]);
  }, 240_000);

  it.runIf(PG_URL !== undefined)(
    `copies a ${SESSION_MB} MB session file to PostgreSQL and back in a ${HEAP_MB} MB heap`,
    async ({ dir }) => {
      const source = join(dir, 'source.jsonl');
      const events = writeSession(source);
      const table = `copy_memory_${process.pid}_${Date.now()}`;
      const url = `${PG_URL}?table=${table}&session=big`;
      const { createPgClient } = await import('@contextlog/pg-adapter');
      const client = createPgClient(PG_URL as string);
      try {
        const result = copyInSmallHeap(
          [
            [source, url],
            [url, join(dir, 'back.jsonl')],
          ],
          dir,
        );
        expect(result.stderr).not.toMatch(/heap out of memory/);
        expect(result.status, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual([events, events]);
      } finally {
        await client.query(
          `DROP TABLE IF EXISTS "${table}", "${table}_sessions", "${table}_snapshots"`,
        );
        await client.end();
      }
    },
    240_000,
  );
});
