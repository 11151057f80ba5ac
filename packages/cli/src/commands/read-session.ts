import { type ReadSessionResult, readSessionFile } from '@contextlog/fs-adapter';
import { DIALECTS } from '../dialects.js';
import { FORMATS } from '../formats.js';
import { checkInputFile } from '../input.js';
import { createProgress, PROGRESS_THRESHOLD_BYTES } from '../output/progress.js';
import type { Io } from './command.js';
import type { FormatOption } from './shared-options.js';

/** CONTEXTLOG_PROGRESS_MIN_BYTES lowers the size from which the bar shows (tests use 0). */
export function progressThreshold(): number {
  const value = Number(process.env.CONTEXTLOG_PROGRESS_MIN_BYTES);
  return Number.isInteger(value) && value >= 0 ? value : PROGRESS_THRESHOLD_BYTES;
}

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
  const showProgress = io.stderr.isTTY === true && size >= progressThreshold() && !options.quiet;
  const progress = showProgress ? createProgress(io.stderr) : undefined;
  try {
    return await readSessionFile(path, {
      formats: FORMATS,
      dialects: DIALECTS,
      format: options.format,
      mode: options.mode,
      ...(progress === undefined
        ? {}
        : { onProgress: ({ bytesRead, totalBytes }) => progress.update(bytesRead, totalBytes) }),
    });
  } finally {
    progress?.done();
  }
}
