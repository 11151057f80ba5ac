import { stat } from 'node:fs/promises';
import type { ReadProgress } from '@contextlog/fs-adapter';
import { BYTES, createProgress } from '../output/progress.js';
import type { Io, OptionSpec, OptionValues } from './command.js';
import { progressThreshold } from './read-session.js';
import { flag } from './shared-options.js';

export const QUIET_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'draw no progress bar (none is drawn when stderr is not a terminal anyway)',
};

/** The bar of a command reading a file, as options for the function doing the reading. */
export interface FileProgress {
  /** `{ onProgress }` for the reader, or `{}` when no bar is drawn. */
  readonly options: { readonly onProgress?: (progress: ReadProgress) => void };
  /** Erases the bar (call it whatever happened). */
  done(): void;
}

const NONE: FileProgress = { options: {}, done: () => undefined };

/**
 * A bar labelled `label` for reading `path`, on stderr: only when stderr is a terminal, the
 * file is at least the progress threshold (32 MiB; CONTEXTLOG_PROGRESS_MIN_BYTES) and `--quiet`
 * is not given.
 */
export async function fileProgress(
  io: Io,
  values: OptionValues,
  path: string,
  label: string,
): Promise<FileProgress> {
  if (io.stderr.isTTY !== true || flag(values, 'quiet')) return NONE;
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  if (size < progressThreshold()) return NONE;
  const progress = createProgress(io.stderr, undefined, { ...BYTES, label });
  return {
    options: { onProgress: ({ bytesRead, totalBytes }) => progress.update(bytesRead, totalBytes) },
    done: () => progress.done(),
  };
}

/** Runs `work` with the bar of `fileProgress`, erased when it ends. */
export async function withFileProgress<T>(
  progress: FileProgress,
  work: (options: FileProgress['options']) => Promise<T>,
): Promise<T> {
  try {
    return await work(progress.options);
  } finally {
    progress.done();
  }
}
