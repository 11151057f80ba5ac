import { type ContextEngine, codeOf, hasCode, type Message, messageCount } from '@contextlog/core';
import type { FaultyFs } from './faulty-fs.js';

/** What the simulated session did, each step in one line, checked against the live state. */
export interface ScenarioReport {
  readonly steps: readonly string[];
  /** A step whose outcome was not what the engine promises (the demo then fails). */
  readonly problems: readonly string[];
}

interface Turn {
  readonly ask: string;
  readonly command: string;
  readonly output: string;
}

// The demo's script, plain data: its turns are alike by nature, not copied.
const TASKS: Readonly<Record<string, readonly Turn[]>> = {
  explore: [
    { ask: 'Where is the retry logic?', command: 'rg -n retry src', output: 'src/net/retry.ts:12' },
    { ask: 'Show it.', command: 'sed -n 1,40p src/net/retry.ts', output: 'export function retry…' },
    { ask: 'Who calls it?', command: 'rg -n "retry(" src', output: 'src/api/client.ts:88' },
  ],
  edit: [
    {
      ask: 'Add jitter to the backoff.',
      command: 'apply_patch retry.diff',
      output: 'patched 1 file',
    },
    { ask: 'Type-check.', command: 'tsc --noEmit', output: 'no errors' },
    { ask: 'Format.', command: 'biome format --write src', output: 'formatted 1 file' },
  ],
  test: [
    {
      ask: 'Run the retry tests.',
      command: 'vitest run retry',
      output: '✓ 6 passed · 测试通过 🎉',
    },
    { ask: 'Run all tests.', command: 'vitest run', output: '✓ 214 passed' },
  ],
};

function turnMessages(task: string, index: number, turn: Turn): Message[] {
  const id = `Shell:${task}-${index}`;
  return [
    { role: 'user', content: `[${task}] ${turn.ask}` },
    {
      role: 'assistant',
      content: [
        { type: 'think', think: `I should run ${turn.command}`, encrypted: null },
        { type: 'text', text: `Running \`${turn.command}\`.` },
      ],
      tool_calls: [
        {
          type: 'function',
          id,
          function: { name: 'Shell', arguments: JSON.stringify({ command: turn.command }) },
        },
      ],
    },
    { role: 'tool', content: turn.output, tool_call_id: id },
  ];
}

/**
 * An agent session as a real one goes: concurrent tasks, a cancelled turn, a failed write, a
 * revert and a compaction. Every claim a step prints is checked against the live state.
 */
export async function runScenario(
  engine: ContextEngine,
  faults: FaultyFs,
): Promise<ScenarioReport> {
  const steps: string[] = [];
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  let usage = 1200;

  await engine.setSystemPrompt(
    'You are a coding agent working in a sandboxed repository.\nUse tools; keep answers short.',
  );
  await engine.setMetadata('agent', { name: 'demo-agent', model: 'simulated' });

  // 1. Three tasks run concurrently; each turn's commands are issued at once, without waiting,
  // and the engine writes them in order, several per batch.
  const before = engine.stats();
  const runTask = async (task: string) => {
    for (const [index, turn] of (TASKS[task] ?? []).entries()) {
      usage += 180;
      await Promise.all([
        engine.appendMessages(turnMessages(task, index, turn)),
        engine.recordUsage(usage),
        engine.checkpoint(),
      ]);
    }
  };
  await Promise.all(Object.keys(TASKS).map(runTask));
  const afterTasks = engine.state;
  const stats = engine.stats();
  steps.push(
    `3 tasks ran concurrently: ${messageCount(afterTasks)} messages, ${afterTasks.checkpoints.length} checkpoints, ` +
      `${stats.eventsWritten - before.eventsWritten} events in ${stats.batchesWritten - before.batchesWritten} batched writes`,
  );
  expect(
    messageCount(afterTasks) === 24,
    `expected 24 messages after the tasks, got ${messageCount(afterTasks)}`,
  );

  // 2. A turn cancelled mid-way: the user's message is sent, then the user presses Esc while the
  // assistant's reply, its tool result and the usage are still queued.
  const controller = new AbortController();
  const { signal } = controller;
  const cancelledTurn = turnMessages('review', 0, {
    ask: 'Review the diff.',
    command: 'git diff',
    output: '(never ran)',
  });
  const sent = engine.appendMessages(cancelledTurn[0] as Message);
  const queued = [
    engine.appendMessages(cancelledTurn[1] as Message, { signal }),
    engine.appendMessages(cancelledTurn[2] as Message, { signal }),
    engine.recordUsage(usage + 50, { signal }),
  ];
  controller.abort(new Error('cancelled by the user'));
  const outcomes = await Promise.allSettled(queued);
  await sent;
  const dropped = outcomes.filter(
    (o) => o.status === 'rejected' && o.reason === signal.reason,
  ).length;
  const last = engine.state.messages[engine.state.messages.length - 1];
  steps.push(
    `a turn was cancelled mid-way (AbortSignal): ${dropped} of ${queued.length} queued commands dropped, nothing half-written`,
  );
  expect(
    last?.role === 'user' && engine.state.tokenCount === usage,
    'the cancelled commands reached the state',
  );

  // 3. A failed write: half a line reaches the disk, then ENOSPC. The store cuts the half line
  // away and rejects; the state does not move; the session goes on.
  const seqBefore = engine.state.seq;
  const countBefore = messageCount(engine.state);
  faults.failNextWrite();
  const failed = await engine
    .appendMessages({ role: 'assistant', content: 'Cancelled; what next?' })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  // The store reports the failed append with the write's error as its cause.
  const cause = (failed as { cause?: unknown } | undefined)?.cause;
  const rejected = hasCode(failed, 'APPEND_FAILED') && codeOf(cause) === 'ENOSPC';
  expect(
    rejected,
    `the injected write failure was not reported as a failed append: ${String(failed)}`,
  );
  expect(
    engine.state.seq === seqBefore && messageCount(engine.state) === countBefore,
    'the state moved although its write failed',
  );
  await engine.appendMessages({ role: 'assistant', content: 'Cancelled; what next?' });
  steps.push(
    `a write failed (injected ENOSPC after half a line): ${rejected ? 'rejected' : 'NOT rejected'}, state stayed at seq ${seqBefore}; the retry committed seq ${engine.state.seq}`,
  );
  expect(
    engine.stats().status === 'open',
    `the engine is ${engine.stats().status} after a failed write`,
  );

  // 4. A revert: a risky turn is undone by going back to the checkpoint taken before it.
  const checkpoint = await engine.checkpoint();
  const beforeRisk = messageCount(engine.state);
  await engine.appendMessages([
    { role: 'user', content: 'Delete the build directory and retry.' },
    { role: 'assistant', content: 'Running `rm -rf build`.' },
  ]);
  usage += 90;
  await engine.recordUsage(usage);
  await engine.revertTo(checkpoint);
  steps.push(
    `reverted to checkpoint ${checkpoint}: 2 messages undone, token count back to ${engine.state.tokenCount}`,
  );
  expect(messageCount(engine.state) === beforeRisk, 'the revert did not restore the history');

  // 5. A compaction: the history is replaced by a summary and the last answer.
  const compactedFrom = messageCount(engine.state);
  await engine.compact([
    {
      role: 'user',
      content:
        '<system>Summary: retry logic is in src/net/retry.ts; jitter added; all 214 tests pass.</system>',
    },
    { role: 'assistant', content: 'Cancelled; what next?' },
  ]);
  await engine.appendMessages([
    { role: 'user', content: 'Commit it.' },
    { role: 'assistant', content: 'Committed: "retry: add jitter" ✅' },
  ]);
  await engine.recordUsage(320);
  await engine.checkpoint({ addUserMessage: true });
  await engine.appendMessages({ role: 'user', content: 'Thanks! 谢谢' });
  steps.push(
    `compacted ${compactedFrom} messages into 2, then went on: ${messageCount(engine.state)} messages, seq ${engine.state.seq}`,
  );
  return { steps, problems };
}
