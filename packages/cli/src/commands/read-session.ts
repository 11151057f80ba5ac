import { type ReadSessionResult, readSessionFile } from '@contextlog/fs-adapter';
import { DIALECTS } from '../dialects.js';
import { FORMATS } from '../formats.js';
import { checkInputFile } from '../input.js';
import { BYTES } from '../output/progress.js';
import type { Io } from './command.js';
import { sizeProgress, withFileProgress } from './file-progress.js';
import type { FormatOption } from './shared-options.js';

/**
 * Checks the file, then replays it read-only, with a progress bar on stderr when the file is
 * large and stderr is a terminal.
 */
export async function readSession(
  path: string,
  io: Io,
  options: { format: FormatOption; mode: 'strict' | 'lenient'; quiet?: boolean },
): Promise<ReadSessionResult> {
  const { size } = await checkInputFile(path);
  const progress = sizeProgress(io, size, BYTES.label, options.quiet === true);
  return withFileProgress(progress, (reading) =>
    readSessionFile(path, {
      formats: FORMATS,
      dialects: DIALECTS,
      format: options.format,
      mode: options.mode,
      ...reading,
    }),
  );
}
