import { hasCode } from '@contextlog/core';
import { type SessionFormat, snapshotSessionFile } from '@contextlog/fs-adapter';
import { DIALECTS } from '../dialects.js';
import { FORMATS } from '../formats.js';
import { checkInputFile, refuseOtherFormat } from '../input.js';
import { type Command, writeLines } from './command.js';
import { QUIET_OPTION, rewriteProgress, withFileProgress } from './file-progress.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'rewrite a session file as one snapshot event',
  positionals: ['FILE'],
  options: { quiet: QUIET_OPTION },
  description: [
    'Rewrites FILE as its header and one state.snapshotted event at the current seq, so it',
    'replays to the same state without its history; the next event continues the seq numbering.',
    'A state larger than about a megabyte is written as several lines, the parts of that one',
    'event, streamed (memory: the state and one line). Takes the writer lock: fails if a live',
    'process is writing the session.',
  ],
  examples: ['contextlog snapshot session.jsonl'],
  async run({ values, positionals, io }) {
    const path = positionals[0] as string;
    refuseOtherFormat(path, (await checkInputFile(path)).format, 'snapshot');
    const progress = await rewriteProgress(io, values, path);
    const { seq, bytesBefore, bytesAfter, snapshotLines, tornTailPath } = await withFileProgress(
      progress,
      (reading) => snapshotSessionFile(path, { formats: FORMATS, dialects: DIALECTS, ...reading }),
    ).catch((error: unknown) => {
      // The store says so too (in API terms) when the other format's records start past the
      // sniffed block.
      refuseOtherFormat(path, refusedFormat(error), 'snapshot');
      throw error;
    });
    writeLines(io, [
      seq === 0
        ? `${path} is an empty session: left as it is`
        : `snapshotted ${path} at seq ${seq}: ${bytesBefore} bytes -> ${bytesAfter} bytes${snapshotLines > 1 ? ` (the snapshot in ${snapshotLines} lines)` : ''}`,
      ...(tornTailPath === undefined
        ? []
        : [`the torn tail of an unfinished write was kept in ${tornTailPath}`]),
    ]);
    return 0;
  },
};

/** The format whose import a store's refusal names, if it is one. */
function refusedFormat(error: unknown): SessionFormat | undefined {
  if (!hasCode(error, 'CORRUPT_SESSION') || typeof error.reason !== 'string') return undefined;
  const { reason } = error;
  return FORMATS.find(
    (format) => format.importedBy !== undefined && reason.includes(`(${format.importedBy})`),
  );
}
