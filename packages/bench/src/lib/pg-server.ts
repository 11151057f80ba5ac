import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's script that starts a throwaway server (the pg-adapter tests use it too). */
const SCRIPT = fileURLToPath(new URL('../../../../.ci/postgres.sh', import.meta.url));

export interface PgServer {
  readonly url: string;
  stop(): void;
}

/** Whether PostgreSQL's server binaries are installed where `.ci/postgres.sh` looks for them. */
function serverInstalled(): boolean {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return false;
  return fs
    .readdirSync(root)
    .some((version) => fs.existsSync(path.join(root, version, 'bin', 'initdb')));
}

/**
 * Starts a throwaway PostgreSQL server with `.ci/postgres.sh` (its state file in `dir`, so it is
 * never the server of the tests), or returns undefined when PostgreSQL is not installed: the
 * script would install it, which a benchmark must not do. The server is stopped by `stop()`, and
 * also when the process exits (Ctrl-C included).
 */
export function startPgServer(dir: string, log: (message: string) => void): PgServer | undefined {
  if (!serverInstalled() || !fs.existsSync(SCRIPT)) return undefined;
  const env = { ...process.env, CONTEXTLOG_PG_STATE: path.join(dir, 'postgres.state') };
  log('starting a PostgreSQL server (.ci/postgres.sh)');
  const started = spawnSync('bash', [SCRIPT, 'start'], { env, encoding: 'utf8' });
  const last = started.stdout.trim().split('\n').at(-1) ?? '';
  const match = /^export CONTEXTLOG_PG_URL=(\S+)$/.exec(last);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    spawnSync('bash', [SCRIPT, 'stop'], { env, stdio: 'ignore' });
  };
  process.on('exit', stop);
  if (started.status !== 0 || match === null) {
    stop();
    throw new Error(`.ci/postgres.sh start failed: ${started.stderr.slice(-1000)}`);
  }
  return { url: match[1] as string, stop };
}
