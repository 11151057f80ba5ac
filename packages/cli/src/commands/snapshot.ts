import { hasCode } from '@contextlog/core';
import { type SessionFormat, snapshotSessionFile } from '@contextlog/fs-adapter';
import { urlOptions, urlParameter } from '../catalog/url-options.js';
import { isPgUrl } from '../copy/location.js';
import { DIALECTS } from '../dialects.js';
import { UsageError } from '../errors.js';
import { FORMATS } from '../formats.js';
import { checkInputFile, refuseOtherFormat } from '../input.js';
import { plural } from '../output/plural.js';
import { type Command, type OptionValues, writeLines } from './command.js';
import { QUIET_OPTION, rewriteProgress, withFileProgress } from './file-progress.js';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'rewrite a session file as one snapshot event, or snapshot a PostgreSQL session',
  positionals: ['SESSION'],
  options: {
    quiet: QUIET_OPTION,
    'remove-older': {
      type: 'boolean',
      description: 'PostgreSQL: also delete the events up to the snapshot (default: keep them)',
    },
    session: {
      type: 'string',
      valueName: 'ID',
      description: 'PostgreSQL: the session id if the URL has no ?session=',
    },
    table: {
      type: 'string',
      valueName: 'TABLE',
      description:
        'PostgreSQL: the events table when the URL has no ?table= (default contextlog_events)',
    },
  },
  description: [
    'A FILE: rewrites it as its header and one state.snapshotted event at the current seq, so',
    'it replays to the same state without its history; the next event continues the seq',
    'numbering. A state larger than about a megabyte is written as several lines, the parts of',
    'that one event, streamed (memory: the state and one line). Takes the writer lock: fails if',
    'a live process is writing the session.',
    '',
    'A PostgreSQL session, named as `copy` names it,',
    'postgres://user:password@host:port/db?session=ID&table=TABLE: stores a state.snapshotted',
    "at the session's last seq in the table's _snapshots table (as rows of about a megabyte),",
    'so that opening the session reads the snapshot and the events after it only. The state',
    'does not change, and the next event continues the seq numbering. The events stay, unless',
    '--remove-older deletes those up to the snapshot (and older snapshots); a follower behind',
    'them then receives the snapshot. Live writers go on: an append waits for the snapshot',
    "to be written, never lost. The table must be migrated (`copy` or the library's migrate).",
  ],
  examples: [
    'contextlog snapshot session.jsonl',
    'contextlog snapshot "postgres://localhost/agents?session=run-42" --remove-older',
  ],
  async run({ values, positionals, io }) {
    const path = positionals[0] as string;
    if (isPgUrl(path)) return snapshotPostgres(path, values, io);
    for (const name of ['session', 'table', 'remove-older']) {
      if (values[name] !== undefined && values[name] !== false) {
        throw new UsageError(`--${name} is for a postgres:// URL`, 'snapshot');
      }
    }
    refuseOtherFormat(path, (await checkInputFile(path)).format, 'snapshot');
    const progress = await rewriteProgress(io, values, path);
    const { seq, bytesBefore, bytesAfter, snapshotLines, tornTailPath } = await withFileProgress(
      progress,
      (reading) => snapshotSessionFile(path, { formats: FORMATS, dialects: DIALECTS, ...reading }),
    ).catch((error: unknown) => {
      // The store says so too (in API terms) when the other format's records start past the
      // sniffed block.
      refuseOtherFormat(path, refusedFormat(error), 'snapshot');
      throw error;
    });
    writeLines(io, [
      seq === 0
        ? `${path} is an empty session: left as it is`
        : `snapshotted ${path} at seq ${seq}: ${bytesBefore} bytes -> ${bytesAfter} bytes${snapshotLines > 1 ? ` (the snapshot in ${snapshotLines} lines)` : ''}`,
      ...(tornTailPath === undefined
        ? []
        : [`the torn tail of an unfinished write was kept in ${tornTailPath}`]),
    ]);
    return 0;
  },
};

async function snapshotPostgres(
  url: string,
  values: OptionValues,
  io: Parameters<Command['run']>[0]['io'],
): Promise<number> {
  const options = urlOptions(url, values, 'snapshot');
  if (options.sessionId === undefined && urlParameter(url, 'session') === undefined) {
    throw new UsageError('name the session: ?session=ID in the URL, or --session ID', 'snapshot');
  }
  const { snapshotPg } = await import('../catalog/pg-catalog.js');
  const result = await snapshotPg(url, {
    ...options,
    removeOlder: values['remove-older'] === true,
  });
  const session = `session ${JSON.stringify(result.sessionId)} of table ${result.table} at ${result.location}`;
  writeLines(io, [
    result.partRows === 0
      ? `${session}: its latest snapshot already is at seq ${result.seq}: nothing new written`
      : `snapshotted ${session} at seq ${result.seq}: ${plural(result.partRows, 'part row')}`,
    ...(result.removedEvents === 0
      ? []
      : [`removed ${plural(result.removedEvents, 'older event')}`]),
  ]);
  return 0;
}

/** The format whose import a store's refusal names, if it is one. */
function refusedFormat(error: unknown): SessionFormat | undefined {
  if (!hasCode(error, 'CORRUPT_SESSION') || typeof error.reason !== 'string') return undefined;
  const { reason } = error;
  return FORMATS.find(
    (format) => format.importedBy !== undefined && reason.includes(`(${format.importedBy})`),
  );
}
