import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptSessionError, stateToJson } from '@contextlog/core';
import { forkSession, openFileSession, snapshotSessionFile } from '@contextlog/fs-adapter';
import { faultyFileSystem } from '@contextlog/fs-adapter/testing';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect } from 'vitest';
import { jsonOf, loadFixtures, readSession } from './fixture-harness.test-helper.js';
import { importKimiSession } from './import.js';

/** The import's state, diagnostics and file, against `readSessionFile` of both files. */
async function importAndCompare(dir: string, kimi: string) {
  const out = join(dir, 'session.jsonl');
  const result = await importKimiSession(kimi, out, {
    mode: 'lenient',
    durability: 'os',
    withState: true,
  });
  const read = await readSession(kimi, { format: 'kimi', mode: 'lenient' });
  expect(result.diagnostics).toEqual(read.diagnostics);
  expect(result.events).toBe(read.state.seq);
  expect(jsonOf(result.state)).toEqual(jsonOf(read.state));
  const reread = await readSession(out, { withEvents: true });
  expect(reread.diagnostics).toEqual([]);
  expect(jsonOf(reread.state)).toEqual(jsonOf(result.state));
  // Key order too: a spliced message must be the very value the state holds.
  expect(JSON.stringify(reread.state.messages)).toBe(JSON.stringify(result.state.messages));
  return { out, result, reread };
}

describe('importKimiSession reads as readSessionFile does', () => {
  for (const { name, path } of loadFixtures()) {
    it(`${name}: same state, same diagnostics; the new file replays to that state`, async ({
      dir,
    }) => {
      await importAndCompare(dir, path);
    });
  }
});

describe('importKimiSession without withState', () => {
  it('keeps no state, counts what it wrote, and the file replays to the kimi-cli state', async ({
    dir,
  }) => {
    for (const { path } of loadFixtures()) {
      const out = join(dir, 'counted.jsonl');
      const result = await importKimiSession(path, out, { mode: 'lenient', durability: 'os' });
      const read = await readSession(path, { format: 'kimi', mode: 'lenient' });
      expect(result).not.toHaveProperty('state');
      expect(result.events).toBe(read.state.seq);
      expect(result.messages).toBe(read.state.messages.length);
      expect(result.diagnostics).toEqual(read.diagnostics);
      expect(jsonOf((await readSession(out)).state)).toEqual(jsonOf(read.state));
      await rm(out);
    }
  });
});

describe('importKimiSession writes a message line as is when it needs no normalization', () => {
  const lines = [
    '{"role": "_system_prompt", "content": "caf\\u00e9"}',
    // Not compact, keys in another order, escapes kept, an extra field, trailing spaces, numbers
    // spelled otherwise than JSON.stringify would but read back as kimi-cli reads them.
    '{ "content" : "caf\\u00e9 \\ud83d\\ude42 \\"q\\"" , "role" : "user", "x": [1.50, -0, 1E21] }  ',
    '{"role":"assistant","content":[{"type":"think","think":"hm","encrypted":null},{"type":"text","text":"你好"}],"tool_calls":[{"type":"function","id":"a","function":{"name":"Shell","arguments":"{}"},"extras":{"k":true}}]}',
    // Needs normalization (null content, tool call without type): written as JSON.stringify.
    '{"role":"tool","content":null,"tool_call_id":"a","name":null}',
    '{"role":"assistant","content":"x","tool_calls":[{"id":"b","function":{"name":"f","arguments":"1"}}]}',
    '{"role": "_usage", "token_count": 7}',
    '{"role":"user","content":"unterminated last line"}',
  ];

  it('splices its bytes into the event line; the file replays to the same values', async ({
    dir,
  }) => {
    const kimi = join(dir, 'context.jsonl');
    writeFileSync(kimi, lines.join('\n'));
    const { out, result } = await importAndCompare(dir, kimi);
    expect(result.events).toBe(7);
    const written = readFileSync(out, 'utf8').split('\n');
    expect(written).toHaveLength(9); // header, 7 events, '' after the last newline
    for (const index of [1, 2, 6]) {
      expect(written[index + 1]).toMatch(
        new RegExp(
          `^\\{"seq":${index + 1},"type":"messages\\.appended","v":1,"at":"[^"]+","data":\\{"messages":\\[`,
        ),
      );
      expect(written[index + 1]?.endsWith(`[${lines[index]}]}}`)).toBe(true);
    }
    expect(written[4]).toContain('"messages":[{"role":"tool","content":[],"tool_call_id":"a"}]');
    expect(written[5]).toContain('"tool_calls":[{"type":"function","id":"b"');
    expect(result.state.messages[0]).toEqual({
      content: 'café 🙂 "q"',
      role: 'user',
      x: [1.5, -0, 1e21],
    });
  });

  it('decodes a CRLF file and one with invalid UTF-8 by the full rules (nothing spliced)', async ({
    dir,
  }) => {
    const kimi = join(dir, 'context.jsonl');
    writeFileSync(kimi, `${lines.slice(0, 3).join('\r\n')}\r\n`);
    const crlf = await importAndCompare(dir, kimi);
    expect(crlf.result.events).toBe(3);
    expect(readFileSync(crlf.out, 'utf8')).not.toContain('\r');
    await rm(crlf.out);
    const bad = Buffer.concat([
      Buffer.from('{"role":"user","content":"a'),
      Buffer.from([0xff]),
      Buffer.from('b"}\n{"role":"user","content":"ok"}\n'),
    ]);
    writeFileSync(kimi, bad);
    const replaced = await importAndCompare(dir, kimi);
    expect(replaced.result.state.messages[0]?.content).toBe('a\ufffdb');
    expect(replaced.result.diagnostics).toHaveLength(1);
  });
});

describe('importKimiSession failures leave nothing behind', () => {
  /** Several 1 MiB chunks, so writes are under way when the failure comes. */
  function bigKimiFile(dir: string, brokenAt?: number): string {
    const kimi = join(dir, 'context.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      lines.push(
        i === brokenAt ? '{"role":"user",' : `{"role":"user","content":"${i} ${'x'.repeat(300)}"}`,
      );
    }
    writeFileSync(kimi, `${lines.join('\n')}\n`);
    return kimi;
  }

  it('a malformed line deep in a strict import: CorruptSessionError, no file', async ({ dir }) => {
    const kimi = bigKimiFile(dir, 11_000);
    const out = join(dir, 'session.jsonl');
    const error = await importKimiSession(kimi, out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptSessionError);
    expect(error).toMatchObject({ line: 11_001 });
    expect(readdirSync(dir)).toEqual(['context.jsonl']);
  });

  for (const [call, n] of [
    ['write', 1],
    ['write', 3],
    ['sync', 1],
  ] as const) {
    it(`a failing ${call} (#${n}): the error, no file`, async ({ dir }) => {
      const kimi = bigKimiFile(dir);
      const out = join(dir, 'session.jsonl');
      const fs = faultyFileSystem((c, k) => (c === call && k === n ? 'EIO' : undefined));
      const error = await importKimiSession(kimi, out, { fs }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'EIO' });
      expect(readdirSync(dir)).toEqual(['context.jsonl']);
    });
  }
});

describe('importKimiSession of numbers kimi-cli reads', () => {
  const fixturePath = (name: string) => {
    const found = loadFixtures().find((fixture) => fixture.name === name);
    if (found === undefined) throw new Error(`no fixture ${name}`);
    return found.path;
  };

  it('refuses in strict mode one it cannot keep, naming line and field, and writes nothing', async ({
    dir,
  }) => {
    const out = join(dir, 'session.jsonl');
    const error = await importKimiSession(fixturePath('numbers'), out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptSessionError);
    expect(error).toMatchObject({
      line: 3,
      reason: expect.stringMatching(/^tool_calls\[0\]\.extras\.n: the number 1\.0 /),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stores counts kimi-cli holds past its range in strict mode; snapshot and fork keep them', async ({
    dir,
  }) => {
    const out = join(dir, 'session.jsonl');
    const result = await importKimiSession(fixturePath('usage-ints'), out, { withState: true });
    expect(result.diagnostics.map((d) => d.line)).toEqual([4, 5, 7, 9]);
    expect(result.state.tokenCount).toBe(Number.MAX_SAFE_INTEGER);
    const imported = stateToJson(result.state);
    await snapshotSessionFile(out);
    const fork = await forkSession(out, join(dir, 'fork.jsonl'));
    const reopened = await openFileSession(out);
    expect(stateToJson(reopened.state)).toEqual(imported);
    await reopened.revertTo(1);
    expect(reopened.state.messages).toEqual([{ role: 'user', content: 'abcdefgh' }]);
    await reopened.close();
    expect(fork.state.tokenCountWithPending).toBe(result.state.tokenCountWithPending);
    expect(fork.state.checkpoints).toEqual(result.state.checkpoints);
  });
});
