import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forkSession, openFileSession, openFileStore } from '@contextlog/fs-adapter';
import { DETECT_WINDOW } from '@contextlog/fs-adapter/formats';
import { sha256, TEST_HEADER, usageLine } from '@contextlog/fs-adapter/testing';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect } from 'vitest';
import { readSession } from './fixture-harness.test-helper.js';
import { importKimiSession } from './import.js';
import { kimiFormat } from './kimi-format.js';

const bom = Buffer.from([0xef, 0xbb, 0xbf]);

describe('kimiFormat: detection beside contextlog', () => {
  it('reads a kimi-cli file whose first record is longer than the detection window', async ({
    dir,
    write,
  }) => {
    const url = `data:image/png;base64,${'x'.repeat(DETECT_WINDOW + 1000)}`;
    const first = JSON.stringify({
      role: 'user',
      content: [{ type: 'image_url', image_url: { url, id: null } }],
    });
    const path = await write('context.jsonl', `${first}\n{"role":"assistant","content":"ok"}\n`);
    const read = await readSession(path);
    expect(read.format).toBe('kimi');
    expect(read.state.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const out = join(dir, 'imported.jsonl');
    const imported = await importKimiSession(path, out);
    expect(imported.events).toBe(2);
    expect((await readSession(out)).state.messages).toHaveLength(2);
  });

  it('looks past any number of malformed lines', async ({ write }) => {
    const path = await write('m.jsonl', `${'{bad\n'.repeat(150)}{"role":"user","content":"hi"}\n`);
    const read = await readSession(path, { mode: 'lenient' });
    expect(read.format).toBe('kimi');
    expect(read.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    await expect(readSession(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION', line: 1 });
  });

  it('still reads an unterminated single kimi-cli record as a record, and imports it', async ({
    dir,
    write,
  }) => {
    const path = await write('one.jsonl', '{"role":"user","content":"hi"}');
    const read = await readSession(path);
    expect(read.format).toBe('kimi');
    expect(read.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    const torn = await write('torn.jsonl', '{"role":"us');
    // Nothing says kimi-cli, but nothing says contextlog either: import reads it by kimi-cli's
    // rules (a torn last line, skipped) instead of refusing it.
    const imported = await importKimiSession(torn, join(dir, 'out.jsonl'));
    expect(imported.events).toBe(0);
    expect(imported.diagnostics).toEqual([expect.objectContaining({ severity: 'warning' })]);
    // A line that positively says contextlog is still refused.
    const contextlog = await write('c.jsonl', `${TEST_HEADER}${usageLine(1)}`);
    await expect(importKimiSession(contextlog, join(dir, 'out2.jsonl'))).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
    });
    expect((await readdir(dir)).sort()).toEqual([
      'c.jsonl',
      'one.jsonl',
      'out.jsonl',
      'torn.jsonl',
    ]);
  });

  it('a byte-order mark: kimi-cli files name it too (json.loads refuses it, kimi-cli skips it)', async ({
    write,
  }) => {
    const text = '{"role":"user","content":"a"}\n{"role":"user","content":"b"}\n';
    const path = await write('bom-kimi.jsonl', Buffer.concat([bom, Buffer.from(text)]));
    await expect(readSession(path)).rejects.toMatchObject({
      line: 1,
      reason: expect.stringContaining('byte-order mark'),
    });
    const lenient = await readSession(path, { mode: 'lenient' });
    expect(lenient.format).toBe('kimi');
    expect(lenient.state.messages).toEqual([{ role: 'user', content: 'b' }]);
  });

  it('auto-detects past a malformed first line', async ({ write }) => {
    const kimi = await write('k.jsonl', 'not json\n{"role":"user","content":"hi"}\n');
    const read = await readSession(kimi, { mode: 'lenient' });
    expect(read.format).toBe('kimi');
    expect(read.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(read.state.seq).toBe(1);
    await expect(readSession(kimi)).rejects.toMatchObject({ line: 1 });
  });

  it('reads kimi-cli files: a decodable unterminated last line is a record', async ({ write }) => {
    const text =
      '{"role": "_system_prompt", "content": "s"}\n{"role": "_checkpoint", "id": 0}\n' +
      '{"role":"user","content":"a"}\n{"role": "_usage", "token_count": 7}\n{"role":"assistant","content":"bcde"}';
    const result = await readSession(await write('context.jsonl', text), { withEvents: true });
    expect(result.format).toBe('kimi');
    expect(result.counts).toMatchObject({ lines: 5, events: 5 });
    expect(result.state).toMatchObject({
      systemPrompt: 's',
      tokenCount: 7,
      pendingTokenEstimate: 1,
      nextCheckpointId: 1,
      seq: 5,
    });
    expect(result.events?.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const torn = await readSession(await write('c2.jsonl', `${text}\n{"role":"us`));
    expect(torn.state.seq).toBe(5);
    expect(torn.diagnostics).toEqual([expect.objectContaining({ line: 6, severity: 'warning' })]);
  });
});

describe('kimiFormat: what else reads or refuses a kimi-cli file', () => {
  it('forks a kimi-cli file, and refuses to replace a target a live writer holds', async ({
    dir,
  }) => {
    const kimi = join(dir, 'context.jsonl');
    await writeFile(kimi, '{"role": "_checkpoint", "id": 0}\n{"role":"user","content":"hi"}\n');
    const target = join(dir, 'fork.jsonl');
    const writer = await openFileSession(target);
    await expect(
      forkSession(kimi, target, { force: true, formats: [kimiFormat] }),
    ).rejects.toMatchObject({
      code: 'SESSION_LOCKED',
    });
    await writer.close();
    const fork = await forkSession(kimi, target, { force: true, formats: [kimiFormat] });
    expect(fork.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(fork.state.nextCheckpointId).toBe(1);
  });

  it('a store refuses a kimi-cli file by name, naming the import, untouched and unlocked', async ({
    dir,
  }) => {
    const kimi = join(dir, 'context.jsonl');
    await writeFile(kimi, '{"role": "_checkpoint", "id": 0}\n{"role":"user","content":"x"}\n');
    const kimiHash = await sha256(kimi);
    await expect(openFileStore(kimi, { formats: [kimiFormat] })).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      reason:
        'a kimi-cli context.jsonl, not a contextlog session: import it first (importKimiSession)',
    });
    // Without kimiFormat the store cannot tell what it is, and refuses it all the same.
    await expect(openFileStore(kimi)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      reason: 'cannot tell the format: no contextlog header in its 2 non-blank lines',
    });
    expect(await sha256(kimi)).toBe(kimiHash);
    expect(await readdir(dir)).toEqual(['context.jsonl']);
  });
});

describe("kimiFormat's encoder", () => {
  it('writes the live history as lines that kimi-cli reads back to the same state', async ({
    write,
  }) => {
    const source = await write(
      'context.jsonl',
      '{"role": "_system_prompt", "content": "s"}\n{"role": "_checkpoint", "id": 0}\n' +
        '{"role":"user","content":"a"}\n{"role": "_usage", "token_count": 7}\n',
    );
    const read = await readSession(source, { withEvents: true });
    const encoder = kimiFormat.createEncoder?.(source);
    for (const event of read.events ?? []) encoder?.apply(event);
    const lines = [...(encoder?.lines() ?? [])];
    expect(lines).toEqual([
      '{"role": "_system_prompt", "content": "s"}',
      '{"role": "_checkpoint", "id": 0}',
      '{"role":"user","content":"a"}',
      '{"role": "_usage", "token_count": 7}',
    ]);
    const back = await readSession(await write('back.jsonl', `${lines.join('\n')}\n`));
    expect(back.state).toEqual(read.state);
  });
});
