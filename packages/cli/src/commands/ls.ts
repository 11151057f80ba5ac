import { describeFileListing, listFiles } from '../catalog/file-listing.js';
import { urlOptions } from '../catalog/url-options.js';
import { isPgUrl } from '../copy/location.js';
import { UsageError } from '../errors.js';
import { createProgress, type Progress } from '../output/progress.js';
import { type Command, type OptionValues, writeLines } from './command.js';
import { QUIET_OPTION } from './file-progress.js';
import { flag } from './shared-options.js';

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the sessions in a directory or a PostgreSQL table',
  positionals: ['WHERE'],
  options: {
    counts: {
      type: 'boolean',
      description: 'read each session for its message count and dialect (a full read of each)',
    },
    json: {
      type: 'boolean',
      description: 'print one JSON object: {"location", "sessions": [...], ...} (see below)',
    },
    all: {
      type: 'boolean',
      description: 'list the files of the other formats the CLI reads (kimi-cli) too',
    },
    table: {
      type: 'string',
      valueName: 'TABLE',
      description: 'the events table when the URL has no ?table= (default contextlog_events)',
    },
    quiet: QUIET_OPTION,
  },
  description: [
    'Lists the sessions in WHERE: a directory of session files, one session file, or a',
    'PostgreSQL URL, postgres://user:password@host:port/db?table=TABLE (with &session=ID:',
    'that session only). Nothing is changed and no lock is taken.',
    '',
    'A directory: every *.jsonl file whose first line is a contextlog header (or that is',
    "empty), by name, with its size, dialect and last change (the file's mtime), and a note",
    'for a live writer. Other .jsonl files are listed with the error that keeps them from',
    'being read (no known format, a header of a newer version); kimi-cli files are left out',
    'unless --all; lock, temporary and torn-tail files are never listed. --counts reads each',
    'file (memory stays small whatever its size) for its message count and dialect; an error',
    'it finds (a corrupt line) goes in the note. A single file is always counted.',
    '',
    "PostgreSQL: each session's last seq and the time of its last append, from the sessions",
    'table alone; --counts replays each session for its message count and dialect.',
    '',
    'With --json, stdout is one object: for a directory {"location","sessions","skipped"},',
    'each session {"name","path","bytes","changedAt","format","createdAt","dialect",',
    '"estimator","messages","seq","writer","problem","warnings"} (the fields known);',
    'for PostgreSQL {"location","table","sessions"}, each {"sessionId","seq","changedAt"}',
    'and, counted, "messages","events","dialect","estimator","warnings","problem".',
    'Exit 0 even when some sessions have an error: it is in their note.',
  ],
  examples: [
    'contextlog ls sessions/',
    "contextlog ls sessions/ --counts --json | jq '.sessions[] | [.name, .messages]'",
    'contextlog ls "postgres://localhost/agents?table=events" --counts',
  ],
  async run({ values, positionals, io }) {
    const where = positionals[0] as string;
    const counts = flag(values, 'counts');
    if (isPgUrl(where)) {
      if (flag(values, 'all')) throw new UsageError('--all is for a directory of files', 'ls');
      return listPostgres(where, values, io, counts);
    }
    if (typeof values.table === 'string') {
      throw new UsageError('--table is for a postgres:// URL', 'ls');
    }
    const listing = await listFiles(where, io, {
      counts,
      all: flag(values, 'all'),
      quiet: flag(values, 'quiet'),
    });
    if (flag(values, 'json')) {
      const { dir: _dir, counted: _counted, ...rest } = listing;
      io.stdout.write(`${JSON.stringify({ location: where, ...rest })}\n`);
    } else {
      writeLines(io, describeFileListing(listing));
    }
    return 0;
  },
};

async function listPostgres(
  url: string,
  values: OptionValues,
  io: CommandIo,
  counts: boolean,
): Promise<number> {
  const { describePgListing, listPg } = await import('../catalog/pg-catalog.js');
  let progress: Progress | undefined;
  let listing: Awaited<ReturnType<typeof listPg>>;
  try {
    listing = await listPg(url, {
      counts,
      ...urlOptions(url, values, 'ls'),
      onProgress: (done, total) => {
        if (io.stderr.isTTY !== true || flag(values, 'quiet')) return;
        progress ??= createProgress(io.stderr, undefined, {
          label: 'replaying',
          amount: (n, of) => `${n}/${of} sessions`,
          rate: (perSecond) => `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`,
        });
        progress.update(done, total);
      },
    });
  } finally {
    progress?.done();
  }
  if (flag(values, 'json')) {
    const { counted: _counted, ...rest } = listing;
    io.stdout.write(`${JSON.stringify(rest)}\n`);
  } else {
    writeLines(io, describePgListing(listing));
  }
  return 0;
}

type CommandIo = Parameters<Command['run']>[0]['io'];
