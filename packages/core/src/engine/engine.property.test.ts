import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { StoreBrokenError } from '../errors/index.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import { foldEvents } from '../projection/fold.js';
import { stateToJson } from '../projection/state.js';
import type { AppendOptions, EventStore } from '../store/event-store.js';
import { openMemoryStore } from '../store/memory-store.js';
import { createContext } from './create-context.js';
import type { ContextEngine } from './types.js';

type Command =
  | { kind: 'append'; messages: Message[] }
  | { kind: 'usage'; tokenCount: number }
  | { kind: 'checkpoint'; addUserMessage: boolean }
  | { kind: 'revert'; checkpointId: number }
  | { kind: 'clear' }
  | { kind: 'compact'; messages: Message[]; tokenCount?: number }
  | { kind: 'prompt'; prompt: string }
  | { kind: 'metadata'; key: string; value: string }
  | { kind: 'replace'; from: number; messages: Message[]; guarded: boolean }
  | { kind: 'replaceOne'; index: number; message: Message };

const arbMessage: fc.Arbitrary<Message> = fc.record({
  role: fc.constantFrom('user', 'assistant', 'tool', 'system'),
  content: fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.array(fc.record({ type: fc.constant('text' as const), text: fc.string() }), {
      maxLength: 2,
    }),
  ),
});

const arbCommand: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      messages: fc.array(arbMessage, { maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('usage' as const), tokenCount: fc.nat(10_000) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('checkpoint' as const),
      addUserMessage: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('revert' as const), checkpointId: fc.nat(4) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        kind: fc.constant('compact' as const),
        messages: fc.array(arbMessage, { maxLength: 2 }),
        tokenCount: fc.nat(500),
      },
      { requiredKeys: ['kind', 'messages'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('prompt' as const), prompt: fc.string() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('metadata' as const),
      key: fc.string({ minLength: 1, maxLength: 3 }),
      value: fc.string(),
    }),
  },
);

const arbEdit: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    from: fc.nat(5),
    messages: fc.array(arbMessage, { maxLength: 2 }),
    guarded: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('replaceOne' as const), index: fc.nat(5), message: arbMessage }),
);

const arbPlan = fc.array(
  fc.record({
    command: fc.oneof({ weight: 4, arbitrary: arbCommand }, { weight: 1, arbitrary: arbEdit }),
    abort: fc.constantFrom('never', 'never', 'never', 'before', 'later'),
  }),
  { minLength: 1, maxLength: 25 },
);

const arbFault = fc.constantFrom('none', 'none', 'none', 'none', 'reject', 'broken');

function issue(engine: ContextEngine, command: Command, signal: AbortSignal): Promise<unknown> {
  const options = { signal };
  switch (command.kind) {
    case 'append':
      return engine.appendMessages(command.messages, options);
    case 'usage':
      return engine.recordUsage(command.tokenCount, options);
    case 'checkpoint':
      return engine.checkpoint({ addUserMessage: command.addUserMessage, signal });
    case 'revert':
      return engine.revertTo(command.checkpointId, options);
    case 'clear':
      return engine.clear(options);
    case 'compact':
      return engine.compact(
        command.messages,
        command.tokenCount === undefined ? options : { ...options, tokenCount: command.tokenCount },
      );
    case 'prompt':
      return engine.setSystemPrompt(command.prompt, options);
    case 'metadata':
      return engine.setMetadata(command.key, command.value, options);
    case 'replace':
      // The guard is the history as the caller sees it now: stale by the time its batch forms
      // whenever a write is in flight.
      return engine.replaceMessages(
        command.from,
        command.messages,
        command.guarded
          ? { ...options, expectedSuffix: engine.state.messages.slice(command.from) }
          : options,
      );
    case 'replaceOne':
      return engine.replaceMessage(command.index, command.message, options);
  }
}

/** The event a command that resolved with `result` must have stored (without seq and at). */
function expectedEvent(
  command: Command,
  result: unknown,
): { type: string; data: unknown } | undefined {
  switch (command.kind) {
    case 'append':
      return command.messages.length === 0
        ? undefined
        : { type: 'messages.appended', data: { messages: command.messages } };
    case 'usage':
      return { type: 'usage.recorded', data: { tokenCount: command.tokenCount } };
    case 'checkpoint':
      return {
        type: 'checkpoint.created',
        data: { id: result, addUserMessage: command.addUserMessage },
      };
    case 'revert':
      return { type: 'context.reverted', data: { checkpointId: command.checkpointId } };
    case 'clear':
      return { type: 'context.cleared', data: {} };
    case 'compact':
      return {
        type: 'context.compacted',
        data:
          command.tokenCount === undefined
            ? { messages: command.messages }
            : { messages: command.messages, tokenCount: command.tokenCount },
      };
    case 'prompt':
      return { type: 'system_prompt.set', data: { prompt: command.prompt } };
    case 'metadata':
      return { type: 'metadata.set', data: { key: command.key, value: command.value } };
    case 'replace':
      return {
        type: 'messages.replaced',
        data: { from: command.from, messages: command.messages },
      };
    case 'replaceOne':
      return { type: 'message.replaced', data: { index: command.index, message: command.message } };
  }
}

/**
 * Releases scheduled tasks one at a time until `done()`; between tasks it lets the engine's
 * promise chains run, since a write may start several microtasks after the task that freed it.
 * A command left pending forever fails the property instead of hanging it.
 */
async function runUntilSettled(s: fc.Scheduler, done: () => boolean): Promise<void> {
  for (let idle = 0; !done(); ) {
    if (s.count() > 0) {
      idle = 0;
      await s.waitOne();
    } else {
      await new Promise((resolve) => setImmediate(resolve));
      if (++idle > 50) throw new Error('a command is still pending with nothing left to run');
    }
  }
}

describe('engine under fuzzed interleavings, aborts and store failures', () => {
  test.prop([arbPlan, fc.array(arbFault, { minLength: 1, maxLength: 8 }), fc.scheduler()], {
    numRuns: Number(process.env.FUZZ_RUNS ?? 150),
  })(
    'replay(stored) equals live; resolved stored once, rejected never, in call order',
    async (plan, faults, s) => {
      const inner = await openMemoryStore();
      let appends = 0;
      let inFlight = 0;
      let maxInFlight = 0;
      let broken = false;
      const store: EventStore = {
        load: () => inner.load(),
        close: () => inner.close(),
        async append(events: readonly StoredEvent[], options: AppendOptions) {
          const fault = faults[appends++ % faults.length];
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            await s.schedule(Promise.resolve(), `append #${appends}`);
            if (broken) throw new StoreBrokenError('already broken');
            if (fault === 'reject') throw new Error('injected write failure');
            if (fault === 'broken') {
              broken = true;
              throw new StoreBrokenError('injected partial write');
            }
            await inner.append(events, options);
          } finally {
            inFlight--;
          }
        },
      };
      const engine = await createContext(store);

      let settled = 0;
      const calls: { command: Command; outcome: Promise<{ ok: boolean; value: unknown }> }[] = [];
      const fire = (step: (typeof plan)[number]) => {
        const controller = new AbortController();
        if (step.abort === 'before') controller.abort(new Error('aborted before the call'));
        const outcome = issue(engine, step.command, controller.signal).then(
          (value) => ({ ok: true, value }),
          (value: unknown) => ({ ok: false, value }),
        );
        outcome.then(() => settled++);
        calls.push({ command: step.command, outcome });
        if (step.abort === 'later')
          s.schedule(Promise.resolve(), 'abort').then(() => controller.abort(new Error('aborted')));
      };
      // Calls interleave with writes: each one is issued when the scheduler says so.
      for (const step of plan) s.schedule(Promise.resolve(), 'call').then(() => fire(step));
      await runUntilSettled(s, () => calls.length === plan.length && settled === plan.length);
      const results = await Promise.all(calls.map((call) => call.outcome));

      expect(maxInFlight).toBeLessThanOrEqual(1);
      const stored = inner.events;
      expect(stateToJson(engine.state)).toEqual(stateToJson(foldEvents(stored)));
      const expected = calls.flatMap((call, index) => {
        const result = results[index];
        if (!result?.ok) return [];
        const event = expectedEvent(call.command, result.value);
        return event === undefined ? [] : [event];
      });
      expect(stored.map(({ type, data }) => ({ type, data }))).toEqual(expected);
      if (!faults.includes('broken') && !faults.includes('reject')) {
        for (const [index, call] of calls.entries()) {
          const result = results[index];
          // Reverts and edits are refused when their mark or index is gone, or their guard stale.
          const kind = call.command.kind;
          if (result?.ok || kind === 'revert' || kind === 'replace' || kind === 'replaceOne') {
            continue;
          }
          // Without faults, only aborted commands may fail.
          expect(String(result?.value)).toContain('aborted');
        }
      }
      await engine.close();
    },
  );
});
