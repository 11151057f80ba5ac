import { lstat } from 'node:fs/promises';
import { codeOf } from '@contextlog/core';
import { deleteFileSession } from '@contextlog/fs-adapter';
import { formatBytes } from '../catalog/columns.js';
import { urlOptions, urlParameter } from '../catalog/url-options.js';
import { isPgUrl } from '../copy/location.js';
import { FileError, UsageError } from '../errors.js';
import { FORMATS } from '../formats.js';
import { plural } from '../output/plural.js';
import { type Command, type OptionValues, writeLines } from './command.js';

export const rmCommand: Command = {
  name: 'rm',
  summary: 'delete a session file or a PostgreSQL session (never one a live writer holds)',
  positionals: ['SESSION'],
  options: {
    session: {
      type: 'string',
      valueName: 'ID',
      description: 'the session id if the URL has no ?session=',
    },
    table: {
      type: 'string',
      valueName: 'TABLE',
      description: 'the events table when the URL has no ?table= (default contextlog_events)',
    },
  },
  description: [
    'Deletes one session: a contextlog session file, or a session in PostgreSQL named as',
    '`copy` names it, postgres://user:password@host:port/db?session=ID&table=TABLE.',
    '',
    'A file is deleted only under its writer lock: a session a live process holds is refused',
    '(close it there first), and so is anything that is not a contextlog session (a kimi-cli',
    'file, a file without a contextlog header) and a symbolic link (name the file itself). Its',
    'lock and the temporary files its crashed writers left go with it; torn tails kept aside',
    '(FILE.torn-OFFSET) stay, and are named.',
    '',
    'PostgreSQL: the events and the sessions row go in one transaction, which holds the',
    "table's appends for its length. A live writer of the session is refused on its next",
    'append (ConcurrencyError); after a reload it starts a new session from seq 1.',
    '',
    'There is no undo and no confirmation.',
  ],
  examples: [
    'contextlog rm sessions/old.jsonl',
    'contextlog rm "postgres://localhost/agents?session=run-42&table=events"',
  ],
  async run({ values, positionals, io }) {
    const target = positionals[0] as string;
    if (isPgUrl(target)) return removePostgres(target, values, io);
    for (const name of ['session', 'table']) {
      if (typeof values[name] === 'string') {
        throw new UsageError(`--${name} is for a postgres:// URL`, 'rm');
      }
    }
    await checkRemovable(target);
    const result = await deleteFileSession(target, { formats: FORMATS });
    const lines = [`deleted ${target} (${formatBytes(result.bytes)})`];
    if (result.removed.length > 0) {
      lines.push(`removed ${plural(result.removed.length, 'leftover')} of dead writers`);
    }
    if (result.keptAside.length > 0) {
      lines.push(
        `kept ${plural(result.keptAside.length, 'torn tail')} (bytes never acknowledged): ${result.keptAside.join(' ')}`,
      );
    }
    writeLines(io, lines);
    return 0;
  },
};

/** The mistakes a user makes most, in the CLI's words, before the library is asked. */
async function checkRemovable(path: string): Promise<void> {
  const info = await lstat(path).catch((error: unknown) => {
    const code = codeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileError(path, 'no such file');
    throw error;
  });
  if (info.isDirectory()) {
    throw new FileError(path, 'is a directory: rm deletes one session file');
  }
}

async function removePostgres(
  url: string,
  values: OptionValues,
  io: Parameters<Command['run']>[0]['io'],
): Promise<number> {
  const options = urlOptions(url, values, 'rm');
  if (options.sessionId === undefined && urlParameter(url, 'session') === undefined) {
    throw new UsageError('name the session: ?session=ID in the URL, or --session ID', 'rm');
  }
  const { deletePg } = await import('../catalog/pg-catalog.js');
  const result = await deletePg(url, options);
  writeLines(io, [
    `deleted session ${JSON.stringify(result.sessionId)} from table ${result.table} at ${result.location} (${plural(result.events, 'event')})`,
  ]);
  return 0;
}
