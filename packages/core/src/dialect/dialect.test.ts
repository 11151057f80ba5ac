import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createContext } from '../engine/create-context.js';
import { CorruptSessionError, DialectMismatchError, ValidationError } from '../errors/index.js';
import { codePointLength } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { foldEvents } from '../projection/fold.js';
import { snapshotStateOf, stateToJson } from '../projection/state.js';
import { openMemoryStore } from '../store/memory-store.js';
import { defineDialect } from './dialect.js';
import { defineEstimator } from './estimator.js';
import { createEventParser } from './event-parser.js';

// A dialect unlike kimi-cli's: an id, a role and parts, as UI message formats have.
const NoteSchema = z.looseObject({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  parts: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
});
type Note = z.infer<typeof NoteSchema>;

const notes = defineDialect<Note>({
  name: 'notes',
  version: 1,
  schema: NoteSchema,
  textLength: (note) =>
    note.parts.reduce(
      (sum, part) => sum + (part.text === undefined ? 0 : codePointLength(part.text)),
      0,
    ),
  checkpointMessage: (id) => ({
    id: `checkpoint-${id}`,
    role: 'user',
    parts: [{ type: 'text', text: `checkpoint ${id}` }],
  }),
});
const noCheckpoints = defineDialect<Note>({
  name: 'notes-plain',
  version: 1,
  schema: NoteSchema,
  textLength: notes.textLength,
});
const perWord = defineEstimator({ name: 'words', estimate: (length) => Math.ceil(length / 5) });

const note = (id: string, text: string): Note => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

describe('dialects', () => {
  it('declares a new session, validates with the dialect, and replays to the live state', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store, { dialect: notes, estimator: perWord });
    expect(store.events[0]).toMatchObject({
      seq: 1,
      type: 'session.declared',
      data: { dialect: { name: 'notes', version: 1 }, estimator: 'words' },
    });
    await engine.appendMessages([note('a', 'hello world'), note('b', '1234')]);
    expect(engine.state.dialect).toEqual({ name: 'notes', version: 1 });
    expect(engine.state.estimator).toBe('words');
    expect(engine.state.pendingTextLength).toBe(15);
    expect(engine.state.pendingTokenEstimate).toBe(3);
    // kimi-cli's message shape is not this dialect's.
    await expect(
      engine.appendMessages({ role: 'user', content: 'x' } as unknown as Note),
    ).rejects.toBeInstanceOf(ValidationError);
    const checkpoint = await engine.checkpoint({ addUserMessage: true });
    await engine.compact([note('c', 'summary text')]);
    await engine.clear();
    await engine.appendMessages(note('d', 'after clear'));
    expect(engine.state.dialect.name).toBe('notes');

    const replayed = foldEvents(store.events, undefined, {
      dialects: [notes],
      estimators: [perWord],
    });
    expect(stateToJson(replayed)).toEqual(stateToJson(engine.state));
    const checkpointEvent = store.events.find((event) => event.type === 'checkpoint.created');
    // The dialect's checkpoint message is stored: replay needs no dialect code to rebuild it.
    expect(checkpointEvent?.data).toEqual({
      id: checkpoint,
      addUserMessage: true,
      message: {
        id: 'checkpoint-0',
        role: 'user',
        parts: [{ type: 'text', text: 'checkpoint 0' }],
      },
    });
    const compaction = store.events.find((event) => event.type === 'context.compacted');
    expect(compaction?.data).toMatchObject({ tokenCount: Math.ceil(12 / 5) });
    await engine.close();

    const reopened = await createContext(store.openAnother(), {
      dialect: notes,
      estimator: perWord,
    });
    expect(stateToJson(reopened.state)).toEqual(stateToJson(replayed));
    await reopened.close();
  });

  it('a kimi-cli session gets no declaration and reads as before', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await engine.appendMessages({ role: 'user', content: 'hi' });
    expect(store.events.map((event) => event.type)).toEqual(['messages.appended']);
    expect(snapshotStateOf(engine.state)).not.toHaveProperty('dialect');
    await engine.close();
  });

  it('refuses to open a session with another dialect or estimator, changing nothing', async () => {
    const store = await openMemoryStore();
    await (await createContext(store, { dialect: notes })).close();
    const before = store.events.slice();
    await expect(createContext(store.openAnother())).rejects.toBeInstanceOf(DialectMismatchError);
    await expect(
      createContext(store.openAnother(), { dialect: noCheckpoints }),
    ).rejects.toMatchObject({
      code: 'DIALECT_MISMATCH',
      what: 'dialect',
      declared: 'notes v1',
      requested: 'notes-plain v1',
    });
    await expect(
      createContext(store.openAnother(), { dialect: notes, estimator: perWord }),
    ).rejects.toMatchObject({
      what: 'estimator',
    });
    expect(store.events).toEqual(before);

    const kimi = await openMemoryStore();
    const engine = await createContext(kimi);
    await engine.appendMessages({ role: 'user', content: 'hi' });
    await engine.close();
    await expect(createContext(kimi.openAnother(), { dialect: notes })).rejects.toBeInstanceOf(
      DialectMismatchError,
    );
  });

  it('a dialect without a checkpoint message refuses addUserMessage at call time', async () => {
    const engine = await createContext(await openMemoryStore(), { dialect: noCheckpoints });
    await expect(engine.checkpoint({ addUserMessage: true })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(engine.checkpoint()).resolves.toBe(0);
    await engine.close();
  });

  it('snapshots carry the dialect and estimator', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store, { dialect: notes, estimator: perWord });
    await engine.appendMessages(note('a', 'hello'));
    const snapshot = snapshotStateOf(engine.state);
    expect(snapshot).toMatchObject({ dialect: { name: 'notes', version: 1 }, estimator: 'words' });
    const copy = await openMemoryStore({
      events: [
        {
          seq: engine.state.seq,
          type: 'state.snapshotted',
          v: 1,
          at: '2026-01-01T00:00:00.000Z',
          data: { state: snapshot },
        },
      ],
    });
    const fromSnapshot = await createContext(copy, { dialect: notes, estimator: perWord });
    expect(stateToJson(fromSnapshot.state)).toEqual(stateToJson(engine.state));
    await expect(createContext(copy)).rejects.toBeInstanceOf(DialectMismatchError);
  });

  it('an engine checks the stored messages of its dialect, which stores take as JSON objects', async () => {
    const declared: StoredEvent = {
      seq: 1,
      type: 'session.declared',
      v: 1,
      at: '2026-01-01T00:00:00.000Z',
      data: { dialect: { name: 'notes', version: 1 }, estimator: 'kimi-cli' },
    };
    const bad = {
      seq: 2,
      type: 'messages.appended',
      v: 1,
      at: '2026-01-01T00:00:00.000Z',
      data: { messages: [{ id: '', role: 'user', parts: [] }] },
    } as unknown as StoredEvent;
    const store = await openMemoryStore({ events: [declared, bad] });
    const error = await createContext(store, { dialect: notes }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptSessionError);
    expect((error as Error).message).toMatch(/seq 2 \(messages\.appended\).*id/);
    // An edit's messages are checked too.
    const good = {
      ...bad,
      data: { messages: [{ id: 'a', role: 'user', parts: [] }] },
    } as unknown as StoredEvent;
    const badEdit = {
      seq: 3,
      type: 'message.replaced',
      v: 1,
      at: '2026-01-01T00:00:00.000Z',
      data: { index: 0, message: { role: 'user', content: 'kimi-cli shaped' } },
    } as unknown as StoredEvent;
    const edited = await openMemoryStore({ events: [declared, good, badEdit] });
    await expect(createContext(edited, { dialect: notes })).rejects.toThrow(
      /seq 3 \(message\.replaced\)/,
    );
  });

  it('a reader that does not know the dialect reads JSON objects, says so, and has no estimate', () => {
    const parser = createEventParser();
    const raw = [
      {
        seq: 1,
        type: 'session.declared',
        v: 1,
        at: 't',
        data: { dialect: { name: 'notes', version: 1 }, estimator: 'words' },
      },
      {
        seq: 2,
        type: 'messages.appended',
        v: 1,
        at: 't',
        data: { messages: [note('a', 'hello')] },
      },
    ];
    const events = raw.map((event) => parser.parse(event));
    expect(parser.diagnostics).toHaveLength(2);
    expect(parser.diagnostics[0]).toMatch(/dialect notes v1 is not known here/);
    expect(parser.diagnostics[1]).toMatch(/estimator "words" is not known here/);
    const state = foldEvents(events);
    expect(state.messages).toEqual([note('a', 'hello')]);
    expect(state.pendingTokenEstimate).toBeNull();
    expect(state.tokenCountWithPending).toBeNull();
    // Knowing the dialect but not the estimator: still no number from another estimator.
    expect(foldEvents(events, undefined, { dialects: [notes] }).pendingTokenEstimate).toBeNull();
    expect(
      foldEvents(events, undefined, { dialects: [notes], estimators: [perWord] })
        .pendingTokenEstimate,
    ).toBe(1);
  });

  it('a known dialect is validated by the reader, naming the field', () => {
    const parser = createEventParser({ dialects: [notes] });
    parser.parse({
      seq: 1,
      type: 'session.declared',
      v: 1,
      at: 't',
      data: { dialect: { name: 'notes', version: 1 }, estimator: 'kimi-cli' },
    });
    expect(() =>
      parser.parse({
        seq: 2,
        type: 'messages.appended',
        v: 1,
        at: 't',
        data: { messages: [{ role: 'user', content: 'x' }] },
      }),
    ).toThrow(/messages\[0\]/);
  });

  it('refuses badly named dialects', () => {
    expect(() => defineDialect({ ...notes, name: 'Has Spaces' })).toThrow(ValidationError);
    expect(() => defineDialect({ ...notes, version: 0 })).toThrow(ValidationError);
  });
});
