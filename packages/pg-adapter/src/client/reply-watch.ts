import type { SideQuery } from './side-query.js';

/** The server process behind a connection, as `pg_stat_activity` knows it. */
export interface Backend {
  readonly pid: number;
  /**
   * `backend_start` as text, known once the connection has asked the server; until then the pid
   * is the one the client learnt when connecting.
   */
  readonly start?: string;
}

/** What a probe found: still working on the statement, done with it, or no answer at all. */
type Verdict = 'running' | 'finished' | 'silent';

const PROBE = `SELECT state, (extract(epoch FROM clock_timestamp() - state_change) * 1000)::float8 AS quiet_ms
FROM pg_stat_activity WHERE pid = $1 AND ($2::text IS NULL OR backend_start::text = $2)`;

/** States in which a server process waits for its client: any statement it had is done. */
const IDLE = new Set(['idle', 'idle in transaction', 'idle in transaction (aborted)']);

/**
 * Waits for a statement's reply without bounding the statement: every `probeMs` while the reply
 * is outstanding, another connection asks `pg_stat_activity` whether the server process is still
 * working on it. Running (or waiting for a lock) is fine, however long it takes. If it is idle
 * (for at least a second, so a reply on its way is not mistaken for a lost one) or gone, the
 * reply was lost; if the probe itself gets no answer within `probeMs`, the server cannot be heard
 * on any connection. Either way `onLost` destroys the connection and the wait rejects with
 * `lost(reason)`: whether the statement committed is then for the caller to settle.
 */
export function awaitReply<T>(
  reply: Promise<T>,
  options: {
    readonly probeMs: number;
    readonly backend: () => Backend | undefined;
    readonly side: SideQuery;
    readonly onLost: (reason: Error) => unknown;
  },
): Promise<T> {
  const { probeMs, side } = options;
  if (!(probeMs > 0)) return reply;
  const grace = Math.min(probeMs, 1000);

  const probe = async (backend: Backend): Promise<Verdict> => {
    let rows: unknown[];
    try {
      rows = await side(PROBE, [backend.pid, backend.start ?? null], probeMs);
    } catch (error) {
      // The server answered (with an error, or "too many connections"): it is there, and this
      // says nothing about the statement. Only silence or a dead network counts.
      return typeof (error as { severity?: unknown }).severity === 'string' ? 'running' : 'silent';
    }
    const row = rows[0] as { state: string | null; quiet_ms: number | null } | undefined;
    // Gone, if the pid is the server's own; the pid a client learns when connecting may be a
    // pooler's (PgBouncer makes one up), which no row matches: not a reason to cut.
    if (row === undefined) return backend.start === undefined ? 'running' : 'finished';
    // Another role's process shows no state; track_activities off shows 'disabled': unknown,
    // so never cut.
    if (row.state === null || !IDLE.has(row.state)) return 'running';
    return (row.quiet_ms ?? 0) >= grace ? 'finished' : 'running';
  };

  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    reply.then(
      (value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(error);
      },
    );
    const tick = async () => {
      const backend = options.backend();
      const verdict = backend === undefined ? 'running' : await probe(backend);
      if (done) return;
      if (verdict === 'running') {
        timer = setTimeout(tick, probeMs);
        return;
      }
      done = true;
      const reason = new Error(
        verdict === 'finished'
          ? `server process ${backend?.pid} is no longer running the statement, and its reply never came`
          : `no reply from server process ${backend?.pid}, and the server did not answer on another connection within ${probeMs} ms`,
      );
      options.onLost(reason);
      reject(reason);
    };
    timer = setTimeout(tick, probeMs);
  });
}
