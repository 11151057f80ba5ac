import { type ContextState, hasCode, kimiDialect, kimiEstimator } from '@contextlog/core';
import type { Diagnostic } from '@contextlog/fs-adapter';
import { describeLiveWriter } from '../lock-status.js';
import { describeCounts } from '../output/counts.js';
import { plural } from '../output/plural.js';
import { oneLine } from '../report-error.js';
import { type Command, writeLines } from './command.js';
import { QUIET_OPTION } from './file-progress.js';
import { readSession } from './read-session.js';
import { FORMAT_OPTION, flag, formatOf } from './shared-options.js';

/** A session's dialect and estimator when they are not kimi-cli's (which a summary leaves out). */
function describeKind(state: ContextState<unknown>): string {
  const { dialect, estimator } = state;
  if (dialect.name === kimiDialect.name && estimator === kimiEstimator.name) return '';
  return `dialect ${dialect.name} v${dialect.version}, estimator ${estimator}, `;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a session file without changing it',
  positionals: ['FILE'],
  options: { format: FORMAT_OPTION, quiet: QUIET_OPTION },
  description: [
    'Reads all of FILE (read-only, no lock taken) and prints each problem as',
    '"FILE:LINE: error: reason" or "FILE:LINE: warning: reason", then a summary line.',
    'Errors (exit 1): a line that does not parse, a seq gap or duplicate, an unknown event type',
    'or version, invalid UTF-8 in a contextlog file, a line kimi-cli would skip, a kimi-cli',
    'number contextlog cannot keep as kimi-cli reads it (1.0, -0.0, 1e20, an int past 2^53).',
    'Warnings (exit 0): a torn tail (the remains of an unfinished write, possibly one in',
    "progress), a live writer holding the session's lock, data kimi-cli would lose, a kimi-cli",
    'count contextlog keeps otherwise (a negative token count as 0, true as 1).',
  ],
  examples: ['contextlog verify session.jsonl'],
  async run({ values, positionals, io }) {
    const path = positionals[0] as string;
    const format = formatOf(values, 'verify');
    let diagnostics: readonly Diagnostic[];
    let summary: string;
    try {
      const result = await readSession(path, io, {
        format,
        mode: 'lenient',
        quiet: flag(values, 'quiet'),
      });
      diagnostics = result.diagnostics;
      summary = `${result.format}, ${describeKind(result.state)}${describeCounts(result.counts)}, seq ${result.state.seq}`;
    } catch (error) {
      // Checked, not trusted: it may come from another copy of the packages.
      if (!hasCode(error, 'CORRUPT_SESSION') || typeof error.reason !== 'string') throw error;
      // Even lenient reading can stop (a file of no known format): that is the one error.
      diagnostics = [
        {
          line: typeof error.line === 'number' ? error.line : 0,
          offset: typeof error.offset === 'number' ? error.offset : 0,
          severity: 'error',
          reason: error.reason,
        },
      ];
      summary = 'unreadable';
    }

    const lines = diagnostics.map(
      (d) => `${path}${d.line > 0 ? `:${d.line}` : ''}: ${d.severity}: ${oneLine(d.reason, 1000)}`,
    );
    const writer = await describeLiveWriter(path);
    if (writer !== undefined) {
      lines.push(`${path}: warning: ${writer}: a writer may be appending while this reads`);
    }
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = lines.length - errors;
    const verdict =
      errors > 0
        ? `${plural(errors, 'error')}${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}`
        : warnings > 0
          ? `sound, ${plural(warnings, 'warning')}`
          : 'sound';
    lines.push(`${path}: ${verdict} (${summary})`);
    writeLines(io, lines);
    return errors > 0 ? 1 : 0;
  },
};
