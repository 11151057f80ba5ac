import { fc } from '@fast-check/vitest';
import type { MemorySession } from '@openai/agents-core';
import { expect } from 'vitest';
import { type Outcome, runCommand, type SessionCommand } from '../../scripts/session-commands.mjs';
import { arbAgentItem, arbAgentItems } from '../testing/index.js';

/**
 * One step of a differential run, before it meets a history: a transaction whose expected
 * suffix is "the last k items" becomes concrete only against the history of the moment, and a
 * retry repeats a transaction issued before. `resolve` makes it a `SessionCommand`, the same for
 * both sessions.
 */
export type Step =
  | { readonly kind: 'command'; readonly command: SessionCommand }
  | {
      readonly kind: 'replaceActual';
      readonly operationId: string;
      readonly k: number;
      readonly replacement: unknown[];
    }
  | { readonly kind: 'retry'; readonly index: number };

// Few ids, mostly plain ones, so that ids meet again (retries, conflicts); an id MemorySession
// refuses (blank), one longer than the engine's own ids may be, one with NUL and a lone surrogate.
const operationId = fc.oneof(
  { arbitrary: fc.constantFrom('op-1', 'op-2', 'op-3'), weight: 8 },
  {
    arbitrary: fc.constantFrom('   ', `long-${'x'.repeat(300)}`, 'nul\u0000and\ud800lone'),
    weight: 1,
  },
);
const functionCall = fc.record({
  type: fc.constant('function_call'),
  callId: fc.constantFrom('call_1', 'call_2', 'call_3', 'call_9'),
  name: fc.constantFrom('lookup', 'add'),
  arguments: fc.constantFrom('{}', '{"a":1}'),
});
const badTransaction = fc.constantFrom<unknown>(
  { type: 'append_items', items: [{ type: 'bogus' }] },
  { type: 'append_items', items: [], extra: true },
  { type: 'replace_suffix', expectedSuffix: [] },
  { type: 'delete_items', items: [] },
  'not an object',
);

export const arbStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('command' as const),
    command: fc.oneof(
      fc.constant<SessionCommand>({ op: 'getItems' }),
      fc
        .oneof(fc.integer({ min: -1, max: 6 }), fc.constant(1.5))
        .map((limit): SessionCommand => ({ op: 'getItems', limit })),
      arbAgentItems({ maxLength: 3 }).map((items): SessionCommand => ({ op: 'addItems', items })),
      fc.constant<SessionCommand>({ op: 'popItem' }),
      fc.constant<SessionCommand>({ op: 'clearSession' }),
      fc
        .array(
          fc.record({
            type: fc.constant('replace_function_call'),
            callId: fc.constantFrom('call_1', 'call_2', 'call_9'),
            replacement: functionCall,
          }),
          { maxLength: 2 },
        )
        .map((mutations): SessionCommand => ({ op: 'applyHistoryMutations', mutations })),
      fc.record({ operationId, items: arbAgentItems({ maxLength: 3 }) }).map(
        ({ operationId, items }): SessionCommand => ({
          op: 'applyHistoryTransaction',
          args: { operationId, transaction: { type: 'append_items', items } },
        }),
      ),
      fc
        .record({
          operationId,
          expectedSuffix: arbAgentItems({ maxLength: 2 }),
          replacement: arbAgentItems({ maxLength: 2 }),
        })
        .map(
          ({ operationId, expectedSuffix, replacement }): SessionCommand => ({
            op: 'applyHistoryTransaction',
            args: {
              operationId,
              transaction: { type: 'replace_suffix', expectedSuffix, replacement },
            },
          }),
        ),
      fc
        .record({ operationId, transaction: badTransaction })
        .map((args): SessionCommand => ({ op: 'applyHistoryTransaction', args })),
      fc
        .array(arbAgentItem(), { maxLength: 3 })
        .map((items): SessionCommand => ({ op: 'replaceHistoryWithCompaction', items })),
    ),
  }),
  fc.record({
    kind: fc.constant('replaceActual' as const),
    operationId,
    k: fc.integer({ min: 0, max: 3 }),
    replacement: arbAgentItems({ maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('retry' as const), index: fc.nat() }),
);

export const arbSteps = (maxLength: number) =>
  fc.array(arbStep, { minLength: 1, maxLength, size: 'max' });

/** The step as a command, against the model's history now and the transactions issued so far. */
export async function resolve(
  step: Step,
  model: MemorySession,
  issued: SessionCommand[],
): Promise<SessionCommand> {
  let command: SessionCommand;
  if (step.kind === 'command') command = step.command;
  else if (step.kind === 'retry') {
    command = issued[step.index % Math.max(issued.length, 1)] ?? { op: 'popItem' };
  } else {
    const items = await model.getItems();
    const expectedSuffix =
      step.k > items.length
        ? [{ role: 'user', content: 'absent' }]
        : items.slice(items.length - step.k);
    command = {
      op: 'applyHistoryTransaction',
      args: {
        operationId: step.operationId,
        transaction: { type: 'replace_suffix', expectedSuffix, replacement: step.replacement },
      },
    };
  }
  if (command.op === 'applyHistoryTransaction') issued.push(command);
  return structuredClone(command);
}

/** What a comparison sees of an outcome: thrown or not, and a value as JSON gives it back. */
export function comparable(outcome: Outcome): unknown {
  if ('threw' in outcome) return { threw: true };
  return {
    value: outcome.value === undefined ? undefined : JSON.parse(JSON.stringify(outcome.value)),
  };
}

/** Runs `steps` on the model and on `session` side by side, comparing each outcome and history. */
export async function runSideBySide(
  steps: readonly Step[],
  model: MemorySession,
  session: object,
  issued: SessionCommand[],
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    const command = await resolve(step, model, issued);
    const expected = await runCommand(model, command);
    const actual = await runCommand(session, structuredClone(command));
    expect(comparable(actual), `step ${index}: ${JSON.stringify(command).slice(0, 300)}`).toEqual(
      comparable(expected),
    );
    expect(await runCommand(session, { op: 'getItems' })).toEqual(
      await runCommand(model, { op: 'getItems' }),
    );
  }
}

/** The model's outcomes for `steps`, and the commands they resolved to (for a child to run). */
export async function resolveAll(
  steps: readonly Step[],
  model: MemorySession,
  issued: SessionCommand[],
): Promise<{ commands: SessionCommand[]; outcomes: Outcome[] }> {
  const commands: SessionCommand[] = [];
  const outcomes: Outcome[] = [];
  for (const step of steps) {
    const command = await resolve(step, model, issued);
    commands.push(command);
    outcomes.push(await runCommand(model, structuredClone(command)));
  }
  return { commands, outcomes };
}
