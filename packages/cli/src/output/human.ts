import { type ContextState, messageCount } from '@contextlog/core';
import type { ReadSessionResult } from '@contextlog/fs-adapter';
import { describeCounts } from './counts.js';
import { clip, describeMessage, firstLine, roleOf } from './describe-message.js';

const LAST_MESSAGES = 5;

/** `replay`'s human report of a state, as lines. */
export function describeReplay(path: string, result: ReadSessionResult): string[] {
  const { state, diagnostics, counts } = result;
  const lines: string[] = [];
  const field = (name: string, value: string) => lines.push(`${name.padEnd(14)}${value}`);

  field('file', path);
  field('format', `${result.format} (${describeCounts(counts)})`);
  field('dialect', `${state.dialect.name} v${state.dialect.version}, estimator ${state.estimator}`);
  field('messages', describeRoles(state));
  field(
    'tokens',
    state.pendingTokenEstimate === null
      ? `${state.tokenCount} counted + unknown pending (the session's dialect or estimator is not known here)`
      : `${state.tokenCount} counted + ${state.pendingTokenEstimate} pending (estimate) = ${state.tokenCountWithPending}`,
  );
  field('checkpoints', describeCheckpoints(state));
  field('metadata', describeMetadata(state));
  field(
    'system prompt',
    state.systemPrompt === null ? '(none)' : JSON.stringify(firstLine(state.systemPrompt, 80)),
  );
  field('seq', String(state.seq));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  field(
    'diagnostics',
    diagnostics.length === 0
      ? 'none'
      : `${errors} error(s), ${diagnostics.length - errors} warning(s)`,
  );
  for (const d of diagnostics.slice(0, 20)) {
    lines.push(`  line ${d.line}: ${d.severity}: ${clip(d.reason, 200)}`);
  }
  if (diagnostics.length > 20) lines.push(`  … and ${diagnostics.length - 20} more`);

  const total = messageCount(state);
  if (total > 0) {
    const shown = Math.min(LAST_MESSAGES, total);
    lines.push('', `last ${shown} of ${total} message(s):`);
    const messages = state.messages;
    for (let i = total - shown; i < total; i++) {
      const message = messages[i];
      if (message === undefined) continue;
      lines.push(
        `  #${String(i + 1).padEnd(5)} ${roleOf(message).padEnd(10)} ${describeMessage(message, 90)}`,
      );
    }
  }
  return lines;
}

function describeRoles(state: ContextState): string {
  const total = messageCount(state);
  if (total === 0) return '0';
  const byRole = new Map<string, number>();
  for (const message of state.messages)
    byRole.set(roleOf(message), (byRole.get(roleOf(message)) ?? 0) + 1);
  const roles = [...byRole.entries()].map(([role, n]) => `${role} ${n}`).join(', ');
  return `${total} (${roles})`;
}

function describeCheckpoints(state: ContextState): string {
  const ids = state.checkpoints.map((mark) => mark.id);
  const shown = ids.length > 12 ? [...ids.slice(0, 5), '…', ...ids.slice(-5)] : ids;
  return `${ids.length}${ids.length > 0 ? ` (${ids.length === 1 ? 'id' : 'ids'} ${shown.join(', ')})` : ''}, next id ${state.nextCheckpointId}`;
}

function describeMetadata(state: ContextState): string {
  const keys = Object.keys(state.metadata);
  if (keys.length === 0) return '(none)';
  return clip(JSON.stringify(state.metadata), 100);
}
