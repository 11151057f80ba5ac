import { hasCode } from '@contextlog/core';
import { type Preparer, preparer } from '../client/statement.js';
import type { PgClient, PgConnection } from '../client/types.js';
import type { TableName } from '../schema/table.js';
import { groupStatements, type Statements, statements } from './sql.js';
import { textArrayParam } from './text-array.js';

/** One session's batch, as the append statement takes it (see sql.ts). */
export interface AppendRequest {
  readonly sessionId: string;
  readonly expectedSeq: number;
  /** The batch's last seq: the session's head once it commits. */
  readonly newLast: number;
  readonly appendId: string;
  readonly seqs: readonly number[];
  readonly types: readonly string[];
  readonly vs: readonly number[];
  readonly ats: readonly string[];
  /** Each event's data as JSON text. */
  readonly datas: readonly string[];
  /** The operation ids (null for events without one); undefined when the table has no `op` column. */
  readonly ops: readonly (string | null)[] | undefined;
  /** Woken with the new head once the batch commits. */
  readonly channel: string;
}

/**
 * What became of a request. `committed`: the statement committed, storing `inserted` rows of the
 * batch (0 when the claim of the session's head failed); `notified` settles once followers were
 * told. `lost`: the connection died on the way, so whether it committed is unknown until
 * `connection` is fenced. `failed`: nothing of the batch was stored.
 */
export type AppendOutcome =
  | { readonly kind: 'committed'; readonly inserted: number; readonly notified: Promise<void> }
  | { readonly kind: 'lost'; readonly error: unknown; readonly connection: PgConnection }
  | { readonly kind: 'failed'; readonly error: unknown };

interface Waiting {
  readonly request: AppendRequest;
  readonly settle: (outcome: AppendOutcome) => void;
}

/**
 * Statements in flight on one client and table before appends wait to be grouped. One engine has
 * at most one batch in flight, so a single session never waits here; with many sessions on a
 * pool, the appends that arrive while these are in flight go together in the next statement.
 */
const MAX_IN_FLIGHT = 2;

export interface GroupCommitter {
  commit(request: AppendRequest): Promise<AppendOutcome>;
}

/**
 * Group commit across the sessions of one client and table. A session writing alone sends its
 * batch at once. Once sessions write together (the last statement held more than one), the
 * batches that arrive in one turn of the event loop, or while `MAX_IN_FLIGHT` statements are in
 * flight, are written together (of different sessions: a second batch of one session goes in
 * another statement), in one statement and so one transaction. Each session's batch is claimed
 * against its own head exactly as alone (sql.ts), so one session's conflict stores nothing of its
 * batch and leaves the others' as they are. If the group's statement fails outright (nothing was
 * committed), each batch is tried again alone, so that each hears its own outcome. With 16 sessions
 * of 4 producers each on 2 cores, one statement per session and batch of 4 messages reached 0.3x
 * the rate of one session of 64 producers; the round trips per message are what separated them.
 */
export function createGroupCommitter(
  client: PgClient,
  table: TableName,
  prepare: Preparer,
): GroupCommitter {
  const single = { withOp: statements(table), withoutOp: statements(table, false) };
  const group = { withOp: groupStatements(table), withoutOp: groupStatements(table, false) };
  const waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  /** Sessions in the last statement sent: more than one means sessions are writing together. */
  let lastGroupSize = 0;

  const pump = (): void => {
    scheduled = false;
    while (inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
      const members = takeGroup(waiting);
      lastGroupSize = members.length;
      inFlight++;
      const done = () => {
        inFlight--;
        schedule();
      };
      const run = members.length === 1 ? runAlone(members[0] as Waiting) : runGroup(members);
      run.then(done, done);
    }
  };

  // After a turn of the event loop, not at once: the sessions whose appends a commit just resolved
  // send their next batches in the same turn, and those then go together.
  const schedule = (): void => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(pump);
  };

  const runAlone = async ({ request, settle }: Waiting): Promise<void> => {
    const sql = request.ops === undefined ? single.withoutOp : single.withOp;
    settle(await appendAlone(client, sql, request, true, prepare));
  };

  const runGroup = async (members: readonly Waiting[]): Promise<void> => {
    const requests = members.map((member) => member.request);
    const withOp = requests[0]?.ops !== undefined;
    const rows = (pick: (request: AppendRequest) => readonly unknown[]) =>
      requests.flatMap((request) => pick(request) as unknown[]);
    const perRow = (pick: (request: AppendRequest) => unknown) =>
      requests.flatMap((request) => request.seqs.map(() => pick(request)));
    const params = [
      requests.map((request) => request.sessionId),
      requests.map((request) => request.expectedSeq),
      requests.map((request) => request.newLast),
      perRow((request) => request.sessionId),
      rows((request) => request.seqs),
      rows((request) => request.types),
      rows((request) => request.vs),
      rows((request) => request.ats),
      textArrayParam(client.kind, rows((request) => request.datas) as string[]),
      perRow((request) => request.appendId),
      ...(withOp ? [rows((request) => request.ops ?? [])] : []),
    ];
    let connection: PgConnection;
    try {
      connection = await client.connect();
    } catch (error) {
      for (const { settle } of members) settle({ kind: 'failed', error });
      return;
    }
    let counts: Map<string, number>;
    try {
      const sql = (withOp ? group.withOp : group.withoutOp).append;
      const result = await connection.query<{ session_id: string; inserted: number }>(
        sql,
        params,
        prepare(sql),
      );
      counts = new Map(result.rows.map((row) => [row.session_id, row.inserted]));
    } catch (error) {
      const outcome = lostOrFailed(error, connection);
      if (outcome.kind === 'lost') {
        for (const { settle } of members) settle(outcome);
        return;
      }
      // Rolled back, all of it: each batch alone hears its own outcome (say, a unique violation
      // from a writer that does not claim the head, which then concerns one session only).
      await Promise.all(members.map((member) => runAlone(member)));
      return;
    }
    const stored = requests.filter(
      (request) => counts.get(request.sessionId) === request.seqs.length,
    );
    const notified = notify(
      connection,
      group.withOp.notify,
      prepare,
      stored.length === 0
        ? undefined
        : [
            stored.map((request) => request.channel),
            stored.map((request) => String(request.newLast)),
          ],
    );
    for (const { request, settle } of members) {
      settle({ kind: 'committed', inserted: counts.get(request.sessionId) ?? 0, notified });
    }
  };

  return {
    commit(request) {
      return new Promise<AppendOutcome>((settle) => {
        waiting.push({ request, settle });
        // One session writing alone (so far): its batch goes at once, as without a committer.
        if (inFlight === 0 && !scheduled && waiting.length === 1 && lastGroupSize <= 1) pump();
        else schedule();
      });
    },
  };
}

/** Takes the next group: the first waiting append and those after it of other sessions. */
function takeGroup(waiting: Waiting[]): Waiting[] {
  const first = waiting[0] as Waiting;
  const withOp = first.request.ops !== undefined;
  const sessions = new Set<string>();
  const taken: Waiting[] = [];
  const left: Waiting[] = [];
  for (const member of waiting) {
    const { sessionId, ops } = member.request;
    if (sessions.has(sessionId) || (ops !== undefined) !== withOp) left.push(member);
    else {
      sessions.add(sessionId);
      taken.push(member);
    }
  }
  waiting.splice(0, waiting.length, ...left);
  return taken;
}

function lostOrFailed(error: unknown, connection: PgConnection): AppendOutcome {
  if (hasCode(error, 'PG_CONNECTION_LOST')) {
    connection.release(true);
    return { kind: 'lost', error, connection };
  }
  connection.release();
  return { kind: 'failed', error };
}

/**
 * One session's batch in one statement on a connection of its own. `announce`: wake the followers
 * after the commit (not inside a caller's transaction, whose COMMIT comes later).
 */
export async function appendAlone(
  client: PgClient,
  sql: Statements,
  request: AppendRequest,
  announce: boolean,
  prepare: Preparer,
): Promise<AppendOutcome> {
  let connection: PgConnection;
  try {
    connection = await client.connect();
  } catch (error) {
    return { kind: 'failed', error };
  }
  let inserted: number;
  try {
    const { rows } = await connection.query<{ inserted: number }>(
      sql.append,
      [
        request.sessionId,
        request.expectedSeq,
        request.seqs,
        request.types,
        request.vs,
        request.ats,
        textArrayParam(client.kind, request.datas),
        request.appendId,
        request.newLast,
        ...(request.ops === undefined ? [] : [request.ops]),
      ],
      prepare(sql.append),
    );
    inserted = rows[0]?.inserted ?? 0;
  } catch (error) {
    return lostOrFailed(error, connection);
  }
  const params =
    announce && inserted === request.seqs.length
      ? [request.channel, String(request.newLast)]
      : undefined;
  return {
    kind: 'committed',
    inserted,
    notified: notify(connection, sql.notify, prepare, params),
  };
}

/**
 * Followers are woken after the commit, on the same connection, without making the appends wait;
 * then the connection goes back. A lost notification only delays them until their next poll.
 * `params` undefined: nothing to announce.
 */
function notify(
  connection: PgConnection,
  sql: string,
  prepare: Preparer,
  params: readonly unknown[] | undefined,
): Promise<void> {
  if (params === undefined) {
    connection.release();
    return Promise.resolve();
  }
  return connection.query(sql, params, prepare(sql)).then(
    () => connection.release(),
    () => connection.release(true),
  );
}

const COMMITTERS = new WeakMap<PgClient, Map<string, GroupCommitter>>();

/**
 * The committer of the sessions of `table` on `client`, shared by every store on them that sends
 * its statements the same way (`prepared`, see `preparer`).
 */
export function committerOf(client: PgClient, table: TableName, prepared: boolean): GroupCommitter {
  let byTable = COMMITTERS.get(client);
  if (byTable === undefined) {
    byTable = new Map();
    COMMITTERS.set(client, byTable);
  }
  const key = `${prepared ? 'named' : 'unnamed'} ${table.name}`;
  let committer = byTable.get(key);
  if (committer === undefined) {
    committer = createGroupCommitter(client, table, preparer(prepared));
    byTable.set(key, committer);
  }
  return committer;
}
