import { stat } from 'node:fs/promises';
import { codeOf } from '@contextlog/core';
import { urlParameter } from '../catalog/url-options.js';
import type { CopyProgress } from '../copy/copy-session.js';
import { isPgUrl } from '../copy/location.js';
import { FileError, UsageError } from '../errors.js';
import {
  checkInputFile,
  checkParentDirectory,
  danglingLinkTarget,
  refuseDirectoryName,
  refuseNonRegular,
  refuseOtherFormat,
} from '../input.js';
import { plural } from '../output/plural.js';
import { createProgress, EVENTS } from '../output/progress.js';
import { type Command, type Io, type OptionValues, writeLines } from './command.js';
import { fileProgress, QUIET_OPTION } from './file-progress.js';
import { flag } from './shared-options.js';

// Alike fork's entry in shape only (see Command): its own name, positionals and options.
export const copyCommand: Command = {
  name: 'copy',
  summary: 'copy a session between a file and PostgreSQL',
  positionals: ['SOURCE', 'TARGET'],
  options: {
    session: {
      type: 'string',
      valueName: 'ID',
      description:
        "session id if the URL has no ?session= (default: the file's name, no extension)",
    },
    table: {
      type: 'string',
      valueName: 'TABLE',
      description: 'the events table when the URL has no ?table= (default contextlog_events)',
    },
    quiet: QUIET_OPTION,
  },
  description: [
    'Copies every event of SOURCE to TARGET, keeping seq numbers, then checks that TARGET',
    'replays to the same state. Each is a contextlog session file or a PostgreSQL URL,',
    'postgres://user:password@host:port/db?session=ID&table=TABLE. SOURCE is not changed; a',
    'PostgreSQL SOURCE must have events. A TARGET file must not exist (or be empty); a TARGET',
    'session must have no events; the tables are created if missing. There is no --force: copy',
    'never replaces a session (remove the target file, or delete its rows from the events table',
    'and its _sessions table, first).',
  ],
  examples: [
    'contextlog copy session.jsonl "postgres://localhost/agents?session=run-42"',
    'contextlog copy "postgres://localhost/agents?session=run-42" copy.jsonl',
  ],
  async run({ values, positionals, io }) {
    const [source, target] = positionals as [string, string];
    checkUrlOptions(values, [source, target]);
    if (!isPgUrl(source)) refuseOtherFormat(source, (await checkInputFile(source)).format, 'copy');
    if (!isPgUrl(target)) await checkCopyTarget(target, isPgUrl(source) ? undefined : source);
    // Loaded only for this command, so the others never load a database driver.
    const { copySession } = await import('../copy/copy-session.js');
    const bar = await copyProgress(io, values, source);
    const result = await copySession(source, target, {
      ...(typeof values.session === 'string' ? { sessionId: values.session } : {}),
      ...(typeof values.table === 'string' ? { table: values.table } : {}),
      ...bar.options,
    }).finally(() => bar.done());
    writeLines(io, [
      `copied ${result.source} to ${result.target}: ${plural(result.events, 'event')}, last seq ${result.lastSeq}, same state`,
    ]);
    return 0;
  },
};

/**
 * --session and --table fill in what a URL leaves out; one that no location would use (every URL
 * names its own, or there is no URL) is a mistake, not something to ignore silently.
 */
function checkUrlOptions(values: OptionValues, locations: readonly string[]): void {
  const urls = locations.filter(isPgUrl);
  for (const name of ['session', 'table']) {
    if (typeof values[name] !== 'string') continue;
    if (urls.length === 0) {
      throw new UsageError(
        `--${name} is for a postgres:// SOURCE or TARGET; neither is one`,
        'copy',
      );
    }
    if (urls.every((url) => urlParameter(url, name) !== undefined)) {
      throw new UsageError(
        `--${name} conflicts with the URL's ?${name}= (give the ${name} in one place)`,
        'copy',
      );
    }
  }
}

/** copy writes only into a new or empty file: it never replaces a session. */
async function checkCopyTarget(path: string, source: string | undefined): Promise<void> {
  refuseDirectoryName(path);
  const info = await stat(path).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) {
    const target = await danglingLinkTarget(path);
    if (target !== undefined) {
      throw new FileError(
        path,
        `is a symbolic link to ${target}, which does not exist (copy writes only into a new or empty file)`,
      );
    }
    return checkParentDirectory(path);
  }
  refuseNonRegular(path, info);
  if (source !== undefined) {
    const sourceInfo = await stat(source);
    if (sourceInfo.dev === info.dev && sourceInfo.ino === info.ino) {
      throw new FileError(path, `is the same file as ${source} (TARGET must be another file)`);
    }
  }
  if (info.size > 0)
    throw new FileError(path, 'already exists (copy writes only into a new or empty file)');
}

/**
 * The bar of a copy, on a terminal and without --quiet: the bytes of a file source (from the
 * progress threshold's size on, as every reading command), the events of a PostgreSQL one.
 */
async function copyProgress(
  io: Io,
  values: OptionValues,
  source: string,
): Promise<{ options: { onProgress?: (progress: CopyProgress) => void }; done(): void }> {
  if (!isPgUrl(source)) {
    const reading = await fileProgress(io, values, source, 'copying');
    const draw = reading.options.onProgress;
    if (draw === undefined) return { options: {}, done: () => undefined };
    return {
      options: { onProgress: ({ done, total }) => draw({ bytesRead: done, totalBytes: total }) },
      done: () => reading.done(),
    };
  }
  if (io.stderr.isTTY !== true || flag(values, 'quiet')) {
    return { options: {}, done: () => undefined };
  }
  const bar = createProgress(io.stderr, undefined, EVENTS);
  return {
    options: { onProgress: ({ done, total }) => bar.update(done, total) },
    done: () => bar.done(),
  };
}
