import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { codeOf } from '@contextlog/core';
import {
  contextlogFormat,
  type FileSessionInfo,
  type FileSessionList,
  inspectFileSession,
  listFileSessions,
} from '@contextlog/fs-adapter';
import type { Io } from '../commands/command.js';
import { progressThreshold } from '../commands/file-progress.js';
import { DIALECTS } from '../dialects.js';
import { FileError } from '../errors.js';
import { FORMATS } from '../formats.js';
import { clip } from '../output/describe-message.js';
import { plural } from '../output/plural.js';
import { BYTES, createProgress, type Progress } from '../output/progress.js';
import { cellText, formatBytes, formatDialect, formatTime, renderTable } from './columns.js';

export interface FileListing extends FileSessionList {
  /** Whether each session was read for its message count. */
  readonly counted: boolean;
}

export interface FileListingOptions {
  readonly counts: boolean;
  /** List the files of the other formats the CLI reads (kimi-cli's) too. */
  readonly all: boolean;
  /** Draw no progress bar (`--quiet`). */
  readonly quiet: boolean;
}

/**
 * The sessions of a directory (`listFileSessions`), or the one session a file path names
 * (`inspectFileSession`, always counted), with a progress bar on a terminal stderr while large
 * files are counted.
 */
export async function listFiles(
  where: string,
  io: Io,
  options: FileListingOptions,
): Promise<FileListing> {
  const info = await stat(where).catch((error: unknown) => {
    const code = codeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FileError(where, 'no such directory or file');
    }
    throw error;
  });
  const readers = { formats: FORMATS, dialects: DIALECTS };
  if (info.isFile()) {
    const session = await inspectFileSession(where, readers);
    return { dir: where, sessions: [session], skipped: [], counted: true };
  }
  if (!info.isDirectory()) throw new FileError(where, 'is neither a directory nor a file');
  let progress: Progress | undefined;
  try {
    const listed = await listFileSessions(where, {
      ...readers,
      counts: options.counts,
      includeOtherFormats: options.all,
      onProgress: ({ bytesRead, totalBytes }) => {
        if (io.stderr.isTTY !== true || options.quiet || totalBytes < progressThreshold()) return;
        progress ??= createProgress(io.stderr, undefined, { ...BYTES, label: 'counting' });
        progress.update(bytesRead, totalBytes);
      },
    });
    return { ...listed, counted: options.counts };
  } finally {
    progress?.done();
  }
}

/** How a format names its files: `a kimi-cli context.jsonl`. */
function titleOf(format: string): string {
  return FORMATS.find((known) => known.name === format)?.title ?? `a ${format} file`;
}

function noteOf(session: FileSessionInfo): string {
  const notes: string[] = [];
  if (session.problem !== undefined) notes.push(`error: ${clip(session.problem, 100)}`);
  if (session.format !== undefined && session.format !== contextlogFormat.name) {
    notes.push(titleOf(session.format));
  }
  if (session.writer !== undefined) {
    const { pid, host } = session.writer;
    notes.push(`written by process ${pid}${host === hostname() ? '' : ` on ${host}`}`);
  }
  const [warning] = session.warnings ?? [];
  if (warning !== undefined) notes.push(`warning: ${clip(warning, 100)}`);
  return notes.join('; ');
}

/** `ls`'s table of a directory's sessions, then a line of totals and hints. */
export function describeFileListing(listing: FileListing): string[] {
  const { sessions, skipped, counted } = listing;
  const lines: string[] = [];
  if (sessions.length === 0) {
    lines.push(`no sessions in ${listing.dir}`);
  } else {
    const header = counted
      ? ['NAME', 'SIZE', 'MESSAGES', 'DIALECT', 'CHANGED', 'NOTE']
      : ['NAME', 'SIZE', 'DIALECT', 'CHANGED', 'NOTE'];
    const rows = sessions.map((session) => {
      const messages = session.messages === undefined ? '-' : String(session.messages);
      return [
        cellText(session.name),
        formatBytes(session.bytes),
        ...(counted ? [messages] : []),
        formatDialect(session.dialect),
        formatTime(session.changedAt),
        noteOf(session),
      ];
    });
    lines.push(...renderTable(header, rows, new Set(counted ? [1, 2] : [1])));
    const bytes = sessions.reduce((sum, session) => sum + session.bytes, 0);
    const problems = sessions.filter((session) => session.problem !== undefined).length;
    lines.push(
      '',
      `${plural(sessions.length, 'session')}${problems === 0 ? '' : ` (${problems} with an error)`}, ${formatBytes(bytes)}`,
    );
  }
  if (skipped.length > 0) {
    const formats = [...new Set(skipped.map((file) => titleOf(file.format)))].join(', ');
    lines.push(`${plural(skipped.length, 'file')} not listed (${formats}): --all lists them`);
  }
  if (!counted && sessions.length > 0) lines.push('message counts: --counts reads each file');
  return lines;
}
