import { messageCount } from '@contextlog/core';
import { exportKimiSession, importKimiSession } from '@contextlog/kimi';
import { withForceFlag } from '../input.js';
import { plural } from '../output/plural.js';
import { oneLine } from '../report-error.js';
import { type Command, writeLines } from './command.js';
import { fileProgress, QUIET_OPTION, withFileProgress } from './file-progress.js';
import { checkInAndOut } from './in-out.js';
import { FORCE_OPTION, LENIENT_OPTION, modeOf } from './shared-options.js';

export const importKimiCommand: Command = {
  name: 'import-kimi',
  summary: 'convert a kimi-cli context.jsonl into a contextlog session',
  positionals: ['IN', 'OUT'],
  options: { lenient: LENIENT_OPTION, force: FORCE_OPTION, quiet: QUIET_OPTION },
  description: [
    'Writes OUT, a contextlog session that replays to the same state as IN, a kimi-cli',
    'context.jsonl: the winning system prompt, then each usage record, checkpoint and message in',
    'order. IN is not changed. OUT must not exist unless --force is given.',
  ],
  examples: ['contextlog import-kimi ~/.kimi/sessions/abc/context.jsonl session.jsonl'],
  async run({ values, positionals, io }) {
    const { input, output, force } = await checkInAndOut({ values, positionals });
    const progress = await fileProgress(io, values, input, 'importing');
    const result = await withFileProgress(progress, (reading) =>
      withForceFlag(importKimiSession(input, output, { mode: modeOf(values), force, ...reading })),
    );
    for (const d of result.diagnostics) {
      const what = d.severity === 'error' ? 'skipped' : 'warning:';
      io.stderr.write(`contextlog: ${what} ${input}:${d.line}: ${oneLine(d.reason)}\n`);
    }
    writeLines(io, [
      `imported ${input} into ${output}: ${plural(result.events, 'event')}, ${plural(result.messages, 'message')}, seq ${result.events}`,
    ]);
    return 0;
  },
};

// The inverse of import-kimi, so its entry reads alike; the checks they share are checkInAndOut.
export const exportKimiCommand: Command = {
  name: 'export-kimi',
  summary: 'convert a contextlog session into a kimi-cli context.jsonl',
  positionals: ['IN', 'OUT'],
  options: { force: FORCE_OPTION, quiet: QUIET_OPTION },
  description: [
    'Writes OUT, a kimi-cli context.jsonl that kimi-cli restores to the state of IN: the system',
    'prompt first, then the live history with its checkpoint marks, usage records and messages.',
    'Reverted, cleared and compacted-away content is not exported; metadata has no place in',
    "kimi-cli's format and is dropped with a warning. IN is not changed.",
  ],
  examples: ['contextlog export-kimi session.jsonl context.jsonl'],
  async run({ values, positionals, io }) {
    const { input, output, force } = await checkInAndOut({ values, positionals });
    const progress = await fileProgress(io, values, input, 'reading');
    const result = await withFileProgress(progress, (reading) =>
      withForceFlag(exportKimiSession(input, output, { force, ...reading })),
    );
    for (const warning of result.warnings) {
      io.stderr.write(`contextlog: warning: ${oneLine(warning)}\n`);
    }
    writeLines(io, [
      `exported ${input} (${result.sourceFormat}) to ${output}: ${plural(result.lines, 'line')}, ${plural(messageCount(result.state), 'message')}`,
    ]);
    return 0;
  },
};
