import { messageCount } from '@contextlog/core';
import { forkSession } from '@contextlog/fs-adapter';
import { DIALECTS } from '../dialects.js';
import { UsageError } from '../errors.js';
import { FORMATS } from '../formats.js';
import { withForceFlag } from '../input.js';
import { plural } from '../output/plural.js';
import { type Command, writeLines } from './command.js';
import { QUIET_OPTION, rewriteProgress, withFileProgress } from './file-progress.js';
import { checkInAndOut } from './in-out.js';
import { FORCE_OPTION } from './shared-options.js';

export const forkCommand: Command = {
  name: 'fork',
  summary: 'start a new session from the state of another',
  positionals: ['IN', 'OUT'],
  options: {
    at: {
      type: 'string',
      valueName: 'CHECKPOINT',
      description: 'fork from the state IN had at this checkpoint id (as revertTo would give)',
      check: (value) => (CHECKPOINT_ID.test(value) ? undefined : badCheckpoint(value)),
    },
    force: FORCE_OPTION,
    quiet: QUIET_OPTION,
  },
  description: [
    'Writes OUT, a new contextlog session whose first event snapshots the state of IN (reverted',
    'to CHECKPOINT if --at is given), with the metadata key forkedFrom naming IN. IN is not',
    'changed. OUT must not exist unless --force is given.',
  ],
  examples: ['contextlog fork session.jsonl experiment.jsonl --at 3'],
  async run({ values, positionals, io }) {
    const at = checkpointOf(values.at);
    const { input, output, force } = await checkInAndOut({ values, positionals });
    const progress = await rewriteProgress(io, values, input);
    const { state } = await withFileProgress(progress, (reading) =>
      withForceFlag(
        forkSession(input, output, {
          force,
          formats: FORMATS,
          dialects: DIALECTS,
          ...reading,
          ...(at === undefined ? {} : { atCheckpoint: at }),
        }),
      ),
    );
    writeLines(io, [
      `forked ${input}${at === undefined ? '' : ` at checkpoint ${at}`} into ${output}: ${plural(messageCount(state), 'message')}, seq ${state.seq}`,
    ]);
    return 0;
  },
};

const CHECKPOINT_ID = /^\d{1,15}$/;

function badCheckpoint(value: unknown): string {
  return `--at must be a checkpoint id (a non-negative integer), not ${JSON.stringify(value)}`;
}

function checkpointOf(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && CHECKPOINT_ID.test(value)) return Number(value);
  throw new UsageError(badCheckpoint(value), 'fork');
}
