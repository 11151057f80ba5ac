import {
  Agent,
  OutputGuardrailTripwireTriggered,
  RunState,
  run,
  type Session,
  type SessionHistoryTransactionArgs,
  setTracingDisabled,
  tool,
} from '@openai/agents-core';
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents-core/testing';
import { expect } from 'vitest';
import { z } from 'zod';

setTracingDisabled(true);

/** A session as the runner sees it, counting the transactions it applies. */
export interface Instrumented {
  readonly session: Session;
  /** Each `applyHistoryTransaction` call: its operation id and transaction type. */
  readonly transactions: Array<{ operationId: string; type: string }>;
  /** The next transaction is applied, then reported as failed (a lost acknowledgement). */
  loseNextAcknowledgement(): void;
}

type FullSession = Session & {
  applyHistoryTransaction(args: SessionHistoryTransactionArgs): Promise<void> | void;
  applyHistoryMutations?(args: unknown): Promise<void> | void;
};

/** Wraps `inner` (whose object may change: `current()` gives the session to call now). */
export function instrument(current: () => FullSession): Instrumented {
  const transactions: Instrumented['transactions'] = [];
  let loseAcknowledgement = false;
  const session = {
    getSessionId: () => current().getSessionId(),
    getItems: (limit?: number) => current().getItems(limit),
    addItems: (items: Parameters<Session['addItems']>[0]) => current().addItems(items),
    popItem: () => current().popItem(),
    clearSession: () => current().clearSession(),
    async applyHistoryTransaction(args: SessionHistoryTransactionArgs) {
      transactions.push({ operationId: args.operationId, type: args.transaction.type });
      await current().applyHistoryTransaction(args);
      if (loseAcknowledgement) {
        loseAcknowledgement = false;
        throw new Error('the acknowledgement of a committed transaction was lost');
      }
    },
  };
  return {
    session,
    transactions,
    loseNextAcknowledgement: () => {
      loseAcknowledgement = true;
    },
  };
}

/**
 * A calculator agent over several runs, on `target`'s session: two tool turns, an output
 * guardrail tripwire whose transaction's acknowledgement is lost, a resume from the tripped
 * run's saved RunState (the runner applies the pending transaction again, same operation id),
 * a tool that needs approval, resumed from its serialized RunState, and a last turn. `reopen`
 * is called before the resumes: a durable session reopens there, as after a restart.
 */
export async function runCalculatorScenario(target: {
  readonly instrumented: Instrumented;
  reopen(): Promise<void>;
}): Promise<void> {
  const { session, transactions } = target.instrumented;
  let blocking = false;
  const add = tool({
    name: 'add',
    description: 'Adds two numbers.',
    parameters: z.object({ a: z.number(), b: z.number() }),
    execute: async ({ a, b }) => String(a + b),
  });
  const charge = tool({
    name: 'charge',
    description: 'Charges an amount.',
    parameters: z.object({ amount: z.number() }),
    needsApproval: true,
    execute: async ({ amount }) => `charged ${amount}`,
  });
  const model = new ScriptedModel([
    [functionCall('add', { a: 2, b: 3 }, { callId: 'call-1' })],
    [assistantMessage('2 + 3 = 5')],
    [assistantMessage('Let me add.'), functionCall('add', { a: 4, b: 4 }, { callId: 'call-2' })],
    [assistantMessage('4 + 4 = 8, a secret')],
    [functionCall('charge', { amount: 7 }, { callId: 'call-3' })],
    [assistantMessage('Charged 7.')],
    [assistantMessage('Goodbye.')],
  ]);
  const agent = new Agent({
    name: 'calculator',
    model,
    tools: [add, charge],
    outputGuardrails: [
      {
        name: 'no secrets',
        execute: async () => ({ outputInfo: null, tripwireTriggered: blocking }),
      },
    ],
  });

  expect((await run(agent, 'What is 2 + 3?', { session })).finalOutput).toBe('2 + 3 = 5');

  blocking = true;
  target.instrumented.loseNextAcknowledgement();
  const tripped = await run(agent, 'And 4 + 4?', { session }).catch((error: unknown) => error);
  expect(tripped).toBeInstanceOf(OutputGuardrailTripwireTriggered);
  const blockedState = (tripped as OutputGuardrailTripwireTriggered<never>).state as RunState<
    undefined,
    typeof agent
  >;
  expect(blockedState._pendingSessionHistoryTransaction).toBeDefined();
  expect(transactions).toHaveLength(1);

  // Resumed from the saved state: the runner applies its pending transaction again.
  await target.reopen();
  const again = await run(agent, blockedState, { session }).catch((error: unknown) => error);
  expect(again).toBeInstanceOf(OutputGuardrailTripwireTriggered);
  expect(transactions).toHaveLength(2);
  expect(transactions[1]).toEqual(transactions[0]);
  expect(JSON.stringify(await session.getItems())).not.toContain('a secret');

  blocking = false;
  const interrupted = await run(agent, 'Charge 7.', { session });
  expect(interrupted.interruptions).toHaveLength(1);
  const saved = interrupted.state.toString();
  await target.reopen();
  const restored = await RunState.fromString(agent, saved);
  const [approval] = restored.getInterruptions();
  if (approval === undefined) throw new Error('the saved state lost its interruption');
  restored.approve(approval);
  expect((await run(agent, restored, { session })).finalOutput).toBe('Charged 7.');

  expect((await run(agent, 'Bye.', { session })).finalOutput).toBe('Goodbye.');
}
