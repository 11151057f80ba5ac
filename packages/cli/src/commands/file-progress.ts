import { stat } from 'node:fs/promises';
import type { ReadProgress, RewriteProgress } from '@contextlog/fs-adapter';
import {
  BYTES,
  createProgress,
  MESSAGES,
  PROGRESS_THRESHOLD_BYTES,
  type Progress,
} from '../output/progress.js';
import type { Io, OptionSpec, OptionValues } from './command.js';
import { flag } from './shared-options.js';

/** CONTEXTLOG_PROGRESS_MIN_BYTES lowers the size from which the bar shows (tests use 0). */
export function progressThreshold(): number {
  const value = Number(process.env.CONTEXTLOG_PROGRESS_MIN_BYTES);
  return Number.isInteger(value) && value >= 0 ? value : PROGRESS_THRESHOLD_BYTES;
}

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
 * A bar labelled `label` for reading `size` bytes, on stderr: only when stderr is a terminal,
 * the size is at least the progress threshold (32 MiB; CONTEXTLOG_PROGRESS_MIN_BYTES) and
 * `--quiet` is not given.
 */
export function sizeProgress(io: Io, size: number, label: string, quiet: boolean): FileProgress {
  if (io.stderr.isTTY !== true || quiet || size < progressThreshold()) return NONE;
  const progress = createProgress(io.stderr, undefined, { ...BYTES, label });
  return {
    options: { onProgress: ({ bytesRead, totalBytes }) => progress.update(bytesRead, totalBytes) },
    done: () => progress.done(),
  };
}

/** `sizeProgress` for reading the file at `path`, `--quiet` taken from `values`. */
export async function fileProgress(
  io: Io,
  values: OptionValues,
  path: string,
  label: string,
): Promise<FileProgress> {
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  return sizeProgress(io, size, label, flag(values, 'quiet'));
}

/** Runs `work` with the bar of `fileProgress`, erased when it ends. */
export async function withFileProgress<P extends FileProgress | RewriteFileProgress, T>(
  progress: P,
  work: (options: P['options']) => Promise<T>,
): Promise<T> {
  try {
    return await work(progress.options);
  } finally {
    progress.done();
  }
}

/** The bar of a rewrite (fork, snapshot): one per phase, reading, writing and checking. */
export interface RewriteFileProgress {
  readonly options: { readonly onProgress?: (progress: RewriteProgress) => void };
  done(): void;
}

const LABELS = { read: 'reading', write: 'writing', check: 'checking' } as const;

/**
 * `fileProgress` for a command that reads `path`, writes a session and reads it back: the bar
 * starts again for each phase (its rate and ETA are that phase's), counting bytes when reading
 * and messages when writing.
 */
export async function rewriteProgress(
  io: Io,
  values: OptionValues,
  path: string,
): Promise<RewriteFileProgress> {
  const reading = await fileProgress(io, values, path, LABELS.read);
  if (reading.options.onProgress === undefined) return { options: {}, done: () => undefined };
  let phase: RewriteProgress['phase'] = 'read';
  let bar: Progress | undefined;
  const barOf = (next: RewriteProgress['phase']): Progress => {
    if (bar !== undefined && next === phase) return bar;
    bar?.done();
    phase = next;
    const units = next === 'write' ? MESSAGES : BYTES;
    bar = createProgress(io.stderr, undefined, { ...units, label: LABELS[next] });
    return bar;
  };
  return {
    options: {
      onProgress: ({ phase: next, bytesRead, totalBytes }) =>
        barOf(next).update(bytesRead, totalBytes),
    },
    done: () => bar?.done(),
  };
}
