import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptSessionError, createContext, hasCode, type StoredEvent } from '@contextlog/core';
import { openFileStore, TargetExistsError } from '@contextlog/fs-adapter';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect } from 'vitest';
import { KimiExportError } from './errors.js';
import { exportKimiSession } from './export.js';
import { FIXTURE_DIR, jsonOf, loadFixtures, readSession } from './fixture-harness.test-helper.js';
import { importKimiSession } from './import.js';
import { kimiStateDifference } from './kimi-state.js';

const fixtures = loadFixtures();
const fixture = (name: string) => {
  const found = fixtures.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no fixture ${name}`);
  return found;
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// Files kimi-cli wrote itself (one prompt, json.dumps records, pydantic messages): an export of
// their import gives back the same bytes.
const WRITTEN_BY_KIMI_CLI = [
  'tool-call-turn',
  'cjk-emoji',
  'checkpoints-and-usage',
  'legacy-no-system-prompt',
  'empty',
];

describe('importKimiSession, then exportKimiSession, on every fixture', () => {
  for (const { name, path, expected } of fixtures) {
    it(`${name}: the import replays to the expected state; the export restores to it`, async ({
      dir,
    }) => {
      const imported = join(dir, 'session.jsonl');
      const result = await importKimiSession(path, imported, { mode: 'lenient', withState: true });
      expect(jsonOf(result.state)).toEqual(expected.state);
      expect(result.events).toBe(expected.state.seq);
      const reread = await readSession(imported);
      expect(reread.format).toBe('contextlog');
      expect(jsonOf(reread.state)).toEqual(expected.state);

      const exported = join(dir, 'context.jsonl');
      const exporting = exportKimiSession(imported, exported);
      if (name === 'unknown-part-type') {
        const error = await rejection(exporting);
        expect(error).toBeInstanceOf(KimiExportError);
        expect(String(error)).toMatch(/message 0 holds a content part of type "file_ref"/);
        expect(readdirSync(dir)).toEqual(['session.jsonl']);
        return;
      }
      const { state, warnings } = await exporting;
      expect(warnings).toEqual([]);
      const back = await readSession(exported, { format: 'kimi' });
      expect(back.diagnostics.filter((d) => !/arguments is null/.test(d.reason))).toEqual([]);
      expect(kimiStateDifference(state, back.state)).toBe(undefined);
      expect(kimiStateDifference(reread.state, back.state)).toBe(undefined);
      if (WRITTEN_BY_KIMI_CLI.includes(name)) {
        expect(readFileSync(exported, 'utf8')).toBe(readFileSync(path, 'utf8'));
      }
    });
  }

  it('exports a prompt prepended twice as the winning prompt, once, first', async ({ dir }) => {
    const imported = join(dir, 'session.jsonl');
    await importKimiSession(fixture('prompt-prepended-twice').path, imported);
    await exportKimiSession(imported, join(dir, 'context.jsonl'));
    expect(readFileSync(join(dir, 'context.jsonl'), 'utf8')).toBe(
      '{"role": "_system_prompt", "content": "older prompt, prepended first"}\n{"role": "_checkpoint", "id": 0}\n{"role":"user","content":"hello"}\n',
    );
  });

  it('writes a tool call without arguments with an explicit null, which kimi-cli reads', async ({
    dir,
  }) => {
    const imported = join(dir, 'session.jsonl');
    await importKimiSession(fixture('tool-call-without-arguments').path, imported);
    await exportKimiSession(imported, join(dir, 'context.jsonl'));
    const lines = readFileSync(join(dir, 'context.jsonl'), 'utf8').split('\n');
    expect(lines[2]).toBe(
      '{"role":"assistant","content":[],"tool_calls":[{"type":"function","id":"Shell:0","function":{"name":"Shell","arguments":null}}]}',
    );
  });
});

describe('importKimiSession refusals', () => {
  it('strict mode refuses a malformed line and writes nothing', async ({ dir }) => {
    const out = join(dir, 'session.jsonl');
    const error = await rejection(importKimiSession(fixture('malformed-lines').path, out));
    expect(error).toBeInstanceOf(CorruptSessionError);
    expect(error).toMatchObject({ line: 3 });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an existing outPath unless forced, leaving it untouched', async ({ dir }) => {
    const out = join(dir, 'session.jsonl');
    writeFileSync(out, 'precious\n');
    const error = await rejection(importKimiSession(fixture('cjk-emoji').path, out));
    expect(error).toBeInstanceOf(TargetExistsError);
    expect(hasCode(error, 'TARGET_EXISTS')).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    const result = await importKimiSession(fixture('cjk-emoji').path, out, {
      force: true,
      withState: true,
    });
    expect(result.events).toBe(6);
    expect(jsonOf((await readSession(out)).state)).toEqual(fixture('cjk-emoji').expected.state);
    expect(readdirSync(dir)).toEqual(['session.jsonl']);
  });
  it('refuses a contextlog session as its input', async ({ dir }) => {
    const session = join(dir, 'session.jsonl');
    await importKimiSession(fixture('cjk-emoji').path, session);
    const error = await rejection(importKimiSession(session, join(dir, 'again.jsonl')));
    expect(error).toBeInstanceOf(CorruptSessionError);
    expect(String(error)).toMatch(/a contextlog session, not a kimi-cli context.jsonl/);
    expect(readdirSync(dir)).toEqual(['session.jsonl']);
  });

  it('streams a file of several chunks into several batches', async ({ dir }) => {
    const kimi = join(dir, 'context.jsonl');
    const lines = ['{"role": "_system_prompt", "content": "big"}'];
    for (let i = 0; i < 12_000; i++) {
      lines.push(
        i % 100 === 0
          ? `{"role": "_usage", "token_count": ${i}}`
          : `{"role":"user","content":"message ${i} ${'x'.repeat(200)}"}`,
      );
    }
    writeFileSync(kimi, `${lines.join('\n')}\n`);
    const out = join(dir, 'session.jsonl');
    const result = await importKimiSession(kimi, out, { durability: 'os', withState: true });
    expect(result.events).toBe(12_001);
    const reread = await readSession(out);
    expect(reread.state.seq).toBe(12_001);
    expect(reread.state.messages).toHaveLength(11_880);
    expect(reread.state.tokenCount).toBe(11_900);
    expect(jsonOf(reread.state)).toEqual(jsonOf(result.state));
  });

  it('does not replace, even forced, a session a live writer holds', async ({ dir }) => {
    const out = join(dir, 'session.jsonl');
    const store = await openFileStore(out, { durability: 'os' });
    try {
      const before = readFileSync(out);
      const error = await rejection(
        importKimiSession(fixture('cjk-emoji').path, out, { force: true }),
      );
      expect(hasCode(error, 'SESSION_LOCKED')).toBe(true);
      expect(readFileSync(out)).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['session.jsonl', 'session.jsonl.lock']);
    } finally {
      await store.close();
    }
  });
});

describe('exportKimiSession of a contextlog session', () => {
  async function session(dir: string, build: (path: string) => Promise<void>): Promise<string> {
    const path = join(dir, 'native.jsonl');
    await build(path);
    return path;
  }

  it('writes only the live history: reverted, cleared and compacted-away content is gone', async ({
    dir,
  }) => {
    const path = await session(dir, async (p) => {
      const engine = await createContext(await openFileStore(p, { durability: 'os' }));
      await engine.setSystemPrompt('old prompt');
      await engine.appendMessages({ role: 'user', content: 'cleared away' });
      await engine.clear();
      await engine.setSystemPrompt('sys');
      await engine.appendMessages({ role: 'user', content: 'compacted away' });
      await engine.compact([{ role: 'assistant', content: 'summary' }], { tokenCount: 50 });
      await engine.checkpoint({ addUserMessage: true });
      await engine.appendMessages({ role: 'user', content: 'kept' });
      await engine.recordUsage(70);
      await engine.appendMessages({ role: 'assistant', content: '好的 😀' });
      const id = await engine.checkpoint();
      await engine.appendMessages({ role: 'user', content: 'reverted away' });
      await engine.recordUsage(90);
      await engine.revertTo(id);
      await engine.setMetadata('owner', 'me');
      await engine.close();
    });
    const out = join(dir, 'context.jsonl');
    const result = await exportKimiSession(path, out);
    expect(result.sourceFormat).toBe('contextlog');
    expect(result.warnings).toEqual(['metadata dropped (kimi-cli has no place for it): "owner"']);
    expect(readFileSync(out, 'utf8')).toBe(
      [
        '{"role": "_system_prompt", "content": "sys"}',
        '{"role":"assistant","content":"summary"}',
        '{"role": "_usage", "token_count": 50}',
        '{"role": "_checkpoint", "id": 0}',
        '{"role":"user","content":"<system>CHECKPOINT 0</system>"}',
        '{"role":"user","content":"kept"}',
        '{"role": "_usage", "token_count": 70}',
        '{"role":"assistant","content":"好的 😀"}',
        '',
      ].join('\n'),
    );
    const back = await readSession(out);
    expect(back.format).toBe('kimi');
    expect(kimiStateDifference(result.state, back.state)).toBe(undefined);
    expect(back.state.pendingTokenEstimate).toBe(1);
    expect(back.state.nextCheckpointId).toBe(1);
  });

  it('rebuilds the records of a session that starts with a snapshot', async ({ dir }) => {
    const path = await session(dir, async (p) => {
      const store = await openFileStore(p, { durability: 'os' });
      const snapshot: StoredEvent = {
        seq: 1,
        v: 1,
        at: new Date(0).toISOString(),
        type: 'state.snapshotted',
        data: {
          state: {
            systemPrompt: 'snap',
            messages: [
              { role: 'user', content: 'abcd' },
              { role: 'assistant', content: 'efgh' },
              { role: 'user', content: 'ij' },
            ],
            tokenCount: 30,
            pendingTextLength: 2,
            nextCheckpointId: 2,
            checkpoints: [
              { id: 0, messageCount: 0, tokenCount: 0, pendingTextLength: 0 },
              { id: 1, messageCount: 2, tokenCount: 10, pendingTextLength: 4 },
            ],
            metadata: {},
          },
        },
      };
      await store.append([snapshot], { expectedSeq: 0 });
      await store.close();
    });
    const out = join(dir, 'context.jsonl');
    const result = await exportKimiSession(path, out);
    expect(readFileSync(out, 'utf8')).toBe(
      [
        '{"role": "_system_prompt", "content": "snap"}',
        '{"role": "_checkpoint", "id": 0}',
        '{"role":"user","content":"abcd"}',
        '{"role": "_usage", "token_count": 10}',
        '{"role":"assistant","content":"efgh"}',
        '{"role": "_checkpoint", "id": 1}',
        '{"role": "_usage", "token_count": 30}',
        '{"role":"user","content":"ij"}',
        '',
      ].join('\n'),
    );
    expect(kimiStateDifference(result.state, (await readSession(out)).state)).toBe(undefined);
  });

  it('writes an edited history as kimi-cli writes a file it rewrote: the kept records, then the edit', async ({
    dir,
  }) => {
    const path = await session(dir, async (p) => {
      const engine = await createContext(await openFileStore(p, { durability: 'os' }));
      await engine.setSystemPrompt('sys');
      await engine.appendMessages([
        { role: 'user', content: 'aaaa' },
        { role: 'assistant', content: 'partial' },
      ]);
      await engine.recordUsage(100);
      await engine.appendMessages({ role: 'user', content: 'bb' });
      // Updating a message before the usage record: the record stays where it is.
      await engine.replaceMessage(1, { role: 'assistant', content: 'done' });
      // A pop reaching before the usage record: its count is written again at the edit point.
      await engine.replaceMessages(1, [{ role: 'assistant', content: 'regenerated' }], {
        expectedSuffix: [
          { role: 'assistant', content: 'done' },
          { role: 'user', content: 'bb' },
        ],
      });
      await engine.close();
    });
    const out = join(dir, 'context.jsonl');
    const result = await exportKimiSession(path, out);
    expect(result.warnings).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe(
      [
        '{"role": "_system_prompt", "content": "sys"}',
        '{"role":"user","content":"aaaa"}',
        '{"role": "_usage", "token_count": 100}',
        '{"role":"assistant","content":"regenerated"}',
        '',
      ].join('\n'),
    );
    expect(result.state.tokenCount).toBe(100);
    expect(result.state.pendingTextLength).toBe('regenerated'.length);
    expect(kimiStateDifference(result.state, (await readSession(out)).state)).toBe(undefined);
  });

  it('writes an edit that dropped checkpoints, warning that kimi-cli numbers the next one lower', async ({
    dir,
  }) => {
    const path = await session(dir, async (p) => {
      const engine = await createContext(await openFileStore(p, { durability: 'os' }));
      await engine.checkpoint();
      await engine.appendMessages({ role: 'user', content: 'hi' });
      await engine.checkpoint();
      await engine.recordUsage(100);
      await engine.appendMessages({ role: 'assistant', content: 'reply' });
      // From index 0: checkpoint 1 (taken at one message) goes, and with it the usage after it.
      await engine.replaceMessages(0, [{ role: 'user', content: 'hello' }]);
      await engine.close();
    });
    const out = join(dir, 'context.jsonl');
    const result = await exportKimiSession(path, out);
    expect(readFileSync(out, 'utf8')).toBe(
      ['{"role": "_checkpoint", "id": 0}', '{"role":"user","content":"hello"}', ''].join('\n'),
    );
    expect(result.state.nextCheckpointId).toBe(2);
    expect(result.warnings).toEqual([
      'checkpoint ids: an edit dropped checkpoints; kimi-cli will number its next checkpoint 1, where contextlog would use 2 (it never reuses an id)',
    ]);
    const back = (await readSession(out)).state;
    expect(kimiStateDifference(result.state, back, { ignoreNextCheckpointId: true })).toBe(
      undefined,
    );
    expect(back.nextCheckpointId).toBe(1);
  });

  it('refuses checkpoint numbering kimi-cli cannot restore, and writes nothing', async ({
    dir,
  }) => {
    // After reverting to checkpoint 5 of marks 0 and 5, contextlog's next id is 5; kimi-cli's
    // restore of the kept records (checkpoint 0 last) would give 1.
    const path = await session(dir, async (p) => {
      const store = await openFileStore(p, { durability: 'os' });
      const at = new Date(0).toISOString();
      await store.append(
        [
          { seq: 1, v: 1, at, type: 'checkpoint.created', data: { id: 0, addUserMessage: false } },
          { seq: 2, v: 1, at, type: 'checkpoint.created', data: { id: 5, addUserMessage: false } },
          { seq: 3, v: 1, at, type: 'context.reverted', data: { checkpointId: 5 } },
        ],
        { expectedSeq: 0 },
      );
      await store.close();
    });
    const out = join(dir, 'context.jsonl');
    const error = await rejection(exportKimiSession(path, out));
    expect(error).toBeInstanceOf(KimiExportError);
    expect(hasCode(error, 'KIMI_EXPORT_UNSUPPORTED')).toBe(true);
    expect(String(error)).toMatch(/nextCheckpointId: 5 became 1/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['native.jsonl']);
  });

  it('refuses an existing outPath unless forced', async ({ dir }) => {
    const imported = join(dir, 'session.jsonl');
    await importKimiSession(fixture('tool-call-turn').path, imported);
    const out = join(dir, 'context.jsonl');
    writeFileSync(out, 'precious\n');
    expect(await rejection(exportKimiSession(imported, out))).toBeInstanceOf(TargetExistsError);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    await exportKimiSession(imported, out, { force: true });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(fixture('tool-call-turn').path, 'utf8'));
  });

  it('exports a kimi-cli file directly, normalized', async ({ dir }) => {
    const out = join(dir, 'context.jsonl');
    const result = await exportKimiSession(join(FIXTURE_DIR, 'compact-records.jsonl'), out);
    expect(result.sourceFormat).toBe('kimi');
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual([
      '{"role": "_system_prompt", "content": "compact \\u00e9 \\u00e9"}',
      '{"role": "_checkpoint", "id": 0}',
    ]);
    expect(kimiStateDifference(result.state, (await readSession(out)).state)).toBe(undefined);
  });
});
