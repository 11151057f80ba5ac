import { hasCode } from '@contextlog/core';
import { snapshotSessionFile } from '@contextlog/fs-adapter';
import { checkInputFile, refuseKimi } from '../input.js';
import { type Command, writeLines } from './command.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'rewrite a session file as one snapshot event',
  positionals: ['FILE'],
  options: {},
  description: [
    'Rewrites FILE as its header and one state.snapshotted event at the current seq, so it',
    'replays to the same state from one line; the next event continues the seq numbering.',
    'Takes the writer lock: fails if a live process is writing the session.',
  ],
  examples: ['contextlog snapshot session.jsonl'],
  async run({ positionals, io }) {
    const path = positionals[0] as string;
    refuseKimi(path, await checkInputFile(path), 'snapshot');
    const { seq, bytesBefore, bytesAfter, tornTailPath } = await snapshotSessionFile(path).catch(
      (error: unknown) => {
        // The store says so too (in API terms) when the kimi-cli records start past the sniffed block.
        if (isKimiRefusal(error)) refuseKimi(path, { size: 0, format: 'kimi' }, 'snapshot');
        throw error;
      },
    );
    writeLines(io, [
      seq === 0
        ? `${path} is an empty session: left as it is`
        : `snapshotted ${path} at seq ${seq}: ${bytesBefore} bytes -> ${bytesAfter} bytes`,
      ...(tornTailPath === undefined
        ? []
        : [`the torn tail of an unfinished write was kept in ${tornTailPath}`]),
    ]);
    return 0;
  },
};

function isKimiRefusal(error: unknown): boolean {
  return (
    hasCode(error, 'CORRUPT_SESSION') &&
    typeof error.reason === 'string' &&
    error.reason.includes('importKimiSession')
  );
}
