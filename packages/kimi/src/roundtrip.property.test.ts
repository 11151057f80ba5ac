import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { codePointLength, type Message, type StoredEvent } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { exportKimiSession } from './export.js';
import { readSession } from './fixture-harness.test-helper.js';
import { importKimiSession } from './import.js';
import { kimiStateDifference } from './kimi-state.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

// ---- a kimi-cli writer, as its Context does it (written here from the format reference) ----

/** Python `json.dumps` string: ASCII only, non-ASCII as \uXXXX (astral characters as pairs). */
const pyString = (text: string) =>
  JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

const internal = (dumps: boolean, fields: [string, string][]) =>
  dumps
    ? `{${fields.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`
    : `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;

interface Mark {
  readonly id: number;
  readonly line: number;
  readonly history: number;
  readonly tokenCount: number;
  readonly pending: number;
}

/** kimi-cli's in-memory context plus its file, driven by the same operations. */
interface Simulation {
  lines: string[];
  filePrompt: string | null;
  history: Message[];
  tokenCount: number;
  pending: number;
  nextId: number;
  marks: Mark[];
}

const textOf = (message: Message): number =>
  typeof message.content === 'string'
    ? codePointLength(message.content)
    : message.content.reduce(
        (sum, part) => sum + (part.type === 'text' ? codePointLength(String(part.text)) : 0),
        0,
      );

type Op =
  | { op: 'prompt'; text: string; dumps: boolean }
  | { op: 'append'; messages: Message[] }
  | { op: 'usage'; tokenCount: number; dumps: boolean }
  | { op: 'checkpoint'; addUserMessage: boolean; dumps: boolean }
  | { op: 'revert'; pick: number }
  | { op: 'clear' };

function simulate(ops: readonly Op[]): Simulation {
  const s: Simulation = {
    lines: [],
    filePrompt: null,
    history: [],
    tokenCount: 0,
    pending: 0,
    nextId: 0,
    marks: [],
  };
  const append = (message: Message) => {
    s.lines.push(JSON.stringify(message));
    s.history.push(message);
    s.pending += textOf(message);
  };
  for (const op of ops) {
    switch (op.op) {
      case 'prompt': {
        const line = internal(op.dumps, [
          ['role', '"_system_prompt"'],
          ['content', pyString(op.text)],
        ]);
        // write_system_prompt prepends to a file with content: the oldest prompt line stays last.
        s.lines.unshift(line);
        s.marks = s.marks.map((mark) => ({ ...mark, line: mark.line + 1 }));
        s.filePrompt ??= op.text;
        break;
      }
      case 'append':
        for (const message of op.messages) append(message);
        break;
      case 'usage':
        s.lines.push(
          internal(op.dumps, [
            ['role', '"_usage"'],
            ['token_count', String(op.tokenCount)],
          ]),
        );
        s.tokenCount = op.tokenCount;
        s.pending = 0;
        break;
      case 'checkpoint': {
        const id = s.nextId++;
        s.marks.push({
          id,
          line: s.lines.length,
          history: s.history.length,
          tokenCount: s.tokenCount,
          pending: s.pending,
        });
        s.lines.push(
          internal(op.dumps, [
            ['role', '"_checkpoint"'],
            ['id', String(id)],
          ]),
        );
        if (op.addUserMessage)
          append({ role: 'user', content: `<system>CHECKPOINT ${id}</system>` });
        break;
      }
      case 'revert': {
        if (s.nextId === 0) break;
        revert(s, op.pick % s.nextId);
        break;
      }
      case 'clear':
        Object.assign(s, simulate([]));
        break;
    }
  }
  return s;
}

/** kimi-cli's revert_to: keep the lines before `_checkpoint{id}`, restore what they give. */
function revert(s: Simulation, id: number): void {
  const index = s.marks.findIndex((mark) => mark.id === id);
  const mark = s.marks[index];
  if (mark === undefined) throw new Error(`no mark ${id}`);
  s.lines.length = mark.line;
  s.history.length = mark.history;
  s.tokenCount = mark.tokenCount;
  s.pending = mark.pending;
  s.nextId = id;
  s.marks.length = index;
}

// ---- messages as pydantic writes them (field order, content string for one text part) ----

const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('a', 'z', ' ', '"', '\\', '\n', '\t', '\u0001', '\u007f', 'é', '你', '好'),
    fc.constantFrom('😀', '🤖', '👍🏽', '\u2028'),
  ),
  maxLength: 10,
});
const nullableId = fc.option(fc.string({ maxLength: 4 }), { nil: null });
const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({ type: fc.constant('think'), think: text, encrypted: nullableId }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record({ url: fc.webUrl(), id: nullableId }),
  }),
  fc.record({
    type: fc.constant('audio_url'),
    audio_url: fc.record({ url: fc.constant('data:audio/aac;base64,AAAA'), id: nullableId }),
  }),
  fc.record({
    type: fc.constant('video_url'),
    video_url: fc.record({ url: fc.webUrl(), id: nullableId }),
  }),
);
const content = fc.oneof(
  text,
  fc
    .array(part, { maxLength: 4 })
    .filter((parts) => !(parts.length === 1 && parts[0]?.type === 'text')),
);
const toolCall = fc.record({
  type: fc.constant('function'),
  id: fc.string({ minLength: 1, maxLength: 6 }),
  function: fc.record({ name: fc.constantFrom('Shell', 'ReadFile'), arguments: text }),
});

/** Keys in kosong's order, optional ones absent rather than null (exclude_none). */
const message: fc.Arbitrary<Message> = fc
  .record(
    {
      role: fc.constantFrom('system', 'user', 'assistant', 'tool'),
      name: fc.string({ maxLength: 5 }),
      content,
      tool_calls: fc.array(toolCall, { maxLength: 2 }),
      tool_call_id: fc.string({ maxLength: 6 }),
      partial: fc.boolean(),
    },
    { requiredKeys: ['role', 'content'] },
  )
  .map((m) => {
    const ordered: Record<string, unknown> = {};
    for (const key of ['role', 'name', 'content', 'tool_calls', 'tool_call_id', 'partial']) {
      const value = (m as Record<string, unknown>)[key];
      if (value !== undefined) ordered[key] = value;
    }
    return ordered as Message;
  });

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('prompt' as const), text, dumps: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('append' as const),
      messages: fc.array(message, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('usage' as const),
      tokenCount: fc.nat(100_000),
      dumps: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('checkpoint' as const),
      addUserMessage: fc.boolean(),
      dumps: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revert' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

const scratch = sharedTempDir();
let run = 0;

describe('kimi-cli files written as kimi-cli writes them', () => {
  test.prop([fc.array(op, { maxLength: 25 }), fc.boolean(), fc.nat()], { numRuns: RUNS })(
    'restore as kimi-cli restores them, and export(import(f)) restores to the state of f',
    async (ops, finalNewline, pick) => {
      const sim = simulate(ops);
      const base = join(scratch.path, `run-${run++}`);
      const kimiPath = `${base}.context.jsonl`;
      const body = sim.lines.join('\n');
      await writeFile(kimiPath, sim.lines.length > 0 && finalNewline ? `${body}\n` : body);

      const read = await readSession(kimiPath);
      expect(read.diagnostics).toEqual([]);
      const { state } = read;
      expect(state.systemPrompt).toBe(sim.filePrompt);
      expect(state.messages).toEqual(sim.history);
      expect(state.tokenCount).toBe(sim.tokenCount);
      expect(state.pendingTextLength).toBe(sim.pending);
      expect(state.pendingTokenEstimate).toBe(Math.floor(sim.pending / 4));
      expect(state.nextCheckpointId).toBe(sim.nextId);
      expect(state.seq).toBe(sim.lines.length);

      // revertTo on the read state behaves as kimi-cli's revert_to on the file.
      if (sim.marks.length > 0) {
        const mark = sim.marks[pick % sim.marks.length];
        if (mark === undefined) throw new Error('no mark');
        const event: StoredEvent = {
          seq: state.seq + 1,
          v: 1,
          at: '',
          type: 'context.reverted',
          data: { checkpointId: mark.id },
        };
        const reverted = foldEvents([event], state);
        revert(sim, mark.id);
        expect(reverted.messages).toEqual(sim.history);
        expect(reverted.tokenCount).toBe(sim.tokenCount);
        expect(reverted.pendingTextLength).toBe(sim.pending);
        expect(reverted.nextCheckpointId).toBe(sim.nextId);
      }

      await importKimiSession(kimiPath, `${base}.session.jsonl`);
      const exported = await exportKimiSession(`${base}.session.jsonl`, `${base}.back.jsonl`);
      expect(exported.warnings).toEqual([]);
      const back = await readSession(`${base}.back.jsonl`, { format: 'kimi' });
      expect(back.diagnostics).toEqual([]);
      expect(kimiStateDifference(state, back.state)).toBe(undefined);
      await Promise.all(
        ['.context.jsonl', '.session.jsonl', '.back.jsonl'].map((suffix) =>
          rm(`${base}${suffix}`, { force: true }),
        ),
      );
    },
  );
});
