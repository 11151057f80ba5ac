import { stat } from 'node:fs/promises';
import { FileError } from '../errors.js';
import { checkInputFile } from '../input.js';
import { plural } from '../output/plural.js';
import { type Command, writeLines } from './command.js';

const isUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

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
  },
  description: [
    'Copies every event of SOURCE to TARGET, keeping seq numbers, then checks that TARGET',
    'replays to the same state. Each is a contextlog session file or a PostgreSQL URL,',
    'postgres://user:password@host:port/db?session=ID&table=TABLE. SOURCE is not changed. A',
    'TARGET file must not exist (or be empty); a TARGET session must have no events; the table',
    'is created if missing.',
  ],
  examples: [
    'contextlog copy session.jsonl "postgres://localhost/agents?session=run-42"',
    'contextlog copy "postgres://localhost/agents?session=run-42" copy.jsonl',
  ],
  async run({ values, positionals, io }) {
    const [source, target] = positionals as [string, string];
    if (!isUrl(source)) await checkInputFile(source);
    if (!isUrl(target)) await checkCopyTarget(target);
    // Loaded only for this command, so the others never load a database driver.
    const { copySession } = await import('@contextlog/pg-adapter');
    const result = await copySession(source, target, {
      ...(typeof values.session === 'string' ? { sessionId: values.session } : {}),
      ...(typeof values.table === 'string' ? { table: values.table } : {}),
    });
    writeLines(io, [
      `copied ${result.source} to ${result.target}: ${plural(result.events, 'event')}, last seq ${result.lastSeq}, same state`,
    ]);
    return 0;
  },
};

/** copy writes only into a new or empty file: it never replaces a session. */
async function checkCopyTarget(path: string): Promise<void> {
  const info = await stat(path).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return;
  if (info.isDirectory()) throw new FileError(path, 'is a directory');
  if (info.size > 0)
    throw new FileError(path, 'already exists (copy writes only into a new or empty file)');
}
