import {
  type ContextEngine,
  createContext,
  type Message,
  openMemoryStore,
  type StoredEvent,
} from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { checkedLine } from './checked-line.js';
import { kimiLines } from './kimi-encoder.js';
import { kimiStateDifference } from './kimi-state.js';
import {
  createLiveRecords,
  type KimiRecord,
  recordsOfState,
  UnrepresentableStateError,
} from './live-records.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

const textArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '你', '😀', 'é'), maxLength: 12 });
const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    role: fc.constantFrom('user', 'assistant'),
    content: textArb,
  }) as fc.Arbitrary<Message>,
  fc.record({
    role: fc.constant('assistant'),
    content: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('text'), text: textArb }),
        fc.record({ type: fc.constant('think'), think: textArb }),
      ),
      { maxLength: 3 },
    ),
  }) as fc.Arbitrary<Message>,
);

type Command =
  | { op: 'prompt'; text: string }
  | { op: 'append'; messages: Message[] }
  | { op: 'usage'; tokenCount: number }
  | { op: 'checkpoint'; addUserMessage: boolean }
  | { op: 'revert'; pick: number }
  | { op: 'clear' }
  | { op: 'compact'; messages: Message[]; tokenCount: number | undefined }
  | { op: 'metadata'; key: string }
  | { op: 'replace'; pick: number; messages: Message[] }
  | { op: 'replaceOne'; pick: number; message: Message };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ op: fc.constant('prompt' as const), text: textArb }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('append' as const),
      messages: fc.array(messageArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('usage' as const), tokenCount: fc.nat(5000) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('checkpoint' as const), addUserMessage: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revert' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('compact' as const),
      messages: fc.array(messageArb, { maxLength: 3 }),
      tokenCount: fc.option(fc.nat(5000), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('metadata' as const), key: textArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('replace' as const),
      pick: fc.nat(),
      messages: fc.array(messageArb, { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('replaceOne' as const),
      pick: fc.nat(),
      message: messageArb,
    }),
  },
);

async function run(engine: ContextEngine, command: Command): Promise<void> {
  switch (command.op) {
    case 'prompt':
      return engine.setSystemPrompt(command.text);
    case 'append':
      return engine.appendMessages(command.messages);
    case 'usage':
      return engine.recordUsage(command.tokenCount);
    case 'checkpoint':
      await engine.checkpoint({ addUserMessage: command.addUserMessage });
      return;
    case 'revert': {
      const marks = engine.state.checkpoints;
      const mark = marks[command.pick % Math.max(marks.length, 1)];
      if (mark !== undefined) await engine.revertTo(mark.id);
      return;
    }
    case 'clear':
      return engine.clear();
    case 'compact':
      return engine.compact(
        command.messages,
        command.tokenCount === undefined ? {} : { tokenCount: command.tokenCount },
      );
    case 'metadata':
      return command.key === '' ? undefined : engine.setMetadata(command.key, 1);
    case 'replace':
      // Edits near the end are the common ones (a pop, a regenerated reply): pick from the end.
      return engine.replaceMessages(
        Math.max(0, engine.state.messages.length - (command.pick % 4)),
        command.messages,
      );
    case 'replaceOne': {
      const length = engine.state.messages.length;
      if (length === 0) return;
      return engine.replaceMessage(
        length - 1 - (command.pick % Math.min(length, 4)),
        command.message,
      );
    }
  }
}

async function eventsOf(commands: readonly Command[]): Promise<readonly StoredEvent[]> {
  const store = await openMemoryStore();
  const engine = await createContext(store);
  for (const command of commands) await run(engine, command);
  await engine.close();
  return store.events;
}

/** Writes the records as kimi-cli lines and restores them as a kimi-cli reader does. */
function restore(systemPrompt: string | null, records: readonly KimiRecord[]) {
  const restored = createFold();
  for (const line of kimiLines({ systemPrompt, records }, 'test')) {
    checkedLine('test', line, restored);
  }
  return restored.state;
}

describe('the kimi records of a live history', () => {
  test.prop([fc.array(commandArb, { maxLength: 30 })], { numRuns: RUNS })(
    'restore to the state of the events (revert, clear, compaction, edits included)',
    async (commands) => {
      const events = await eventsOf(commands);
      const live = createLiveRecords();
      for (const event of events) live.apply(event);
      const replayer = createFold();
      for (const event of events) replayer.apply(event);
      const restored = restore(live.systemPrompt, live.records);
      const ignoreNextCheckpointId = live.droppedCheckpointIds;
      expect(kimiStateDifference(replayer.state, restored, { ignoreNextCheckpointId })).toBe(
        undefined,
      );
      // Only an edit that dropped checkpoints makes kimi-cli number them otherwise.
      if (!ignoreNextCheckpointId) {
        expect(restored.nextCheckpointId).toBe(replayer.state.nextCheckpointId);
      }
    },
  );

  test.prop([fc.array(commandArb, { maxLength: 30 })], { numRuns: RUNS })(
    'rebuilt from a state alone (a snapshot) restore to that state',
    async (commands) => {
      const events = await eventsOf(commands);
      const replayer = createFold();
      for (const event of events) replayer.apply(event);
      const state = replayer.state;
      // An edit that dropped checkpoints leaves a next id no checkpoint record can give.
      const ignoreNextCheckpointId =
        state.nextCheckpointId > (state.checkpoints.at(-1)?.id ?? -1) + 1;
      const restored = restore(state.systemPrompt, recordsOfState(state));
      expect(kimiStateDifference(state, restored, { ignoreNextCheckpointId })).toBe(undefined);
    },
  );

  it('places the usage record so that the pending text after it matches', () => {
    const m = (content: string): Message => ({ role: 'user', content });
    const records = recordsOfState({
      messages: [m('aaaa'), m(''), m('bb'), m('cc')],
      tokenCount: 9,
      pendingTextLength: 4,
      checkpoints: [{ id: 0, messageCount: 1, tokenCount: 0, pendingTextLength: 4 }],
    });
    expect(records.map((r) => (r.kind === 'message' ? r.message.content : r.kind))).toEqual([
      'aaaa',
      'checkpoint',
      '',
      'usage',
      'bb',
      'cc',
    ]);
  });

  it('refuses a state no records give', () => {
    expect(() =>
      recordsOfState({
        messages: [{ role: 'user', content: 'abc' }],
        tokenCount: 0,
        pendingTextLength: 2,
        checkpoints: [],
      }),
    ).toThrow(UnrepresentableStateError);
    expect(() =>
      recordsOfState({
        messages: [],
        tokenCount: 0,
        pendingTextLength: 0,
        checkpoints: [{ id: 0, messageCount: 3, tokenCount: 0, pendingTextLength: 0 }],
      }),
    ).toThrow(UnrepresentableStateError);
  });
});
