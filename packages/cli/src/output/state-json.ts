import type { ContextState } from '@contextlog/core';
import type { Diagnostic, SessionFormatName } from '@contextlog/fs-adapter';
import type { Sink } from './sink.js';

/**
 * Writes `replay --json`'s one object piece by piece: each message and each diagnostic is its own
 * `JSON.stringify`, so a session larger than the biggest string V8 can make still prints.
 * Messages are kept in the shape they were read in, which is kimi-cli's message shape.
 */
export async function writeStateJson(
  sink: Sink,
  format: SessionFormatName,
  state: ContextState,
  diagnostics: readonly Diagnostic[],
): Promise<void> {
  await sink.write(
    `{"format":${JSON.stringify(format)},"systemPrompt":${JSON.stringify(state.systemPrompt)},"messages":[`,
  );
  await writeList(sink, state.messages);
  await sink.write(
    `],"tokenCount":${state.tokenCount},"pendingTokenEstimate":${state.pendingTokenEstimate}` +
      `,"tokenCountWithPending":${state.tokenCountWithPending}` +
      `,"nextCheckpointId":${state.nextCheckpointId}` +
      `,"checkpoints":${JSON.stringify(state.checkpoints)}` +
      `,"metadata":${JSON.stringify(state.metadata)},"dialect":${JSON.stringify(state.dialect)}` +
      `,"estimator":${JSON.stringify(state.estimator)},"seq":${state.seq}` +
      // As the state's JSON: operation ids only when there are any.
      (state.operations.length === 0 ? '' : `,"operations":${JSON.stringify(state.operations)}`) +
      ',"diagnostics":[',
  );
  await writeList(sink, diagnostics);
  await sink.write(']}\n');
  await sink.flush();
}

async function writeList(sink: Sink, items: readonly unknown[]): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    await sink.write(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(items[i])}`);
  }
  if (items.length > 0) await sink.write('\n');
}
