import { snapshotSessionFile } from '@contextlog/fs-adapter';
import { checkInputFile } from '../input.js';
import { type Command, writeLines } from './command.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'compact a session file to one snapshot event',
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
    await checkInputFile(path);
    const { seq, bytesBefore, bytesAfter } = await snapshotSessionFile(path);
    writeLines(io, [
      seq === 0
        ? `${path} is an empty session: left as it is`
        : `snapshotted ${path} at seq ${seq}: ${bytesBefore} bytes -> ${bytesAfter} bytes`,
    ]);
    return 0;
  },
};
