import * as path from 'node:path';
import type { Message } from '@contextlog/core';
import { messagePool } from '../data/messages.js';
import { openMinimalWriter } from '../lib/minimal-writer.js';
import { plainReadKeepingMessages } from '../lib/plain-reader.js';
import {
  bestLoads,
  bestRates,
  type Opened,
  type Pair,
  PRODUCERS,
  type Rounds,
  sequentialP50,
} from '../peers/drive.js';
import {
  type EmmettModules,
  type EmmettVariant,
  loadEmmett,
  loadEmmettStream,
  openEmmettStream,
  writeEmmettStream,
} from '../peers/emmett.js';
import {
  type LangGraphVariant,
  loadLangGraphThread,
  loadPostgresSaver,
  loadSqliteSaver,
  openLangGraphThread,
  openSqliteSaver,
  type Saver,
} from '../peers/langgraph.js';
import {
  loadOursFile,
  loadOursPg,
  type OursPg,
  openOursFile,
  openOursPg,
  writeOursFile,
  writeOursPg,
} from '../peers/ours.js';
import { type BenchDatabase, createBenchDatabase } from '../peers/pg-database.js';
import {
  loadSqlite,
  loadSqliteSession,
  openSqliteSession,
  type SqliteConstructor,
  writeSqliteSession,
} from '../peers/sqlite.js';
import {
  type BenchContext,
  compare,
  type Figure,
  type Scenario,
  skip,
  type Target,
} from '../scenario.js';

const BEST: Target = { atLeast: 1 };
const DOCS_WAY: Target = { atLeast: 3 };
const FASTER: Target = { atMost: 1 };
const NO_SERVER = 'no PostgreSQL server: set CONTEXTLOG_PG_URL';

interface Sizes {
  readonly rounds: number;
  /** Messages the 64 producers append, per peer (its cost per append decides). */
  readonly sqlite: number;
  readonly langgraph: number;
  readonly emmett: number;
  readonly sequential: number;
  readonly slices: number;
  readonly load: number;
}

/** The rows one peer reports: names and targets, whether measured or skipped. */
interface RowSpec {
  readonly name: string;
  readonly unit: string;
  readonly target?: Target;
}

const rounds = (ctx: BenchContext, sizes: Sizes, pool: Message[]): Rounds => ({
  rounds: sizes.rounds,
  pool,
  log: ctx.log,
});

const skipAll = (rows: readonly RowSpec[], reason: string): Figure[] =>
  rows.map((row) => skip(row.name, row.unit, reason, row.target));

const loadName = (peer: string, n: number) =>
  `peers: load a ${n.toLocaleString('en')}-message session, contextlog vs ${peer}`;

const loadMessages = (n: number): Message[] => {
  const pool = messagePool(4096);
  return Array.from({ length: n }, (_, i) => pool[i % pool.length] as Message);
};

function sqliteRows(sizes: Sizes): RowSpec[] {
  return [
    {
      name: `peers: ${PRODUCERS} producers, file (fsync) vs SQLite one transaction per tick`,
      unit: 'msg/s',
      target: BEST,
    },
    {
      name: `peers: ${PRODUCERS} producers, file (fsync) vs SQLite one transaction per call`,
      unit: 'msg/s',
      target: DOCS_WAY,
    },
    {
      name: 'peers: sequential p50, file (fsync) vs SQLite one transaction per call',
      unit: 'µs',
      target: FASTER,
    },
    { name: loadName('SQLite (better-sqlite3)', sizes.load), unit: 'msg/s', target: BEST },
  ];
}

/** For context: the contract's floor against the same SQLite runs (what limits a MISS above). */
function sqliteFloorRows(sizes: Sizes): RowSpec[] {
  return [
    {
      name: `peers: ${PRODUCERS} producers, contract floor (file) vs SQLite one transaction per tick`,
      unit: 'msg/s',
    },
    {
      name: 'peers: sequential p50, contract floor (file) vs SQLite one transaction per call',
      unit: 'µs',
    },
    {
      name: `peers: load a ${sizes.load.toLocaleString('en')}-message session, plain reader keeping the messages (floor) vs SQLite`,
      unit: 'msg/s',
    },
  ];
}

async function sqliteFigures(ctx: BenchContext, sizes: Sizes, pool: Message[]): Promise<Figure[]> {
  const rows = sqliteRows(sizes);
  const floorRows = sqliteFloorRows(sizes);
  const loaded = loadSqlite();
  if (!loaded.ok) return skipAll([...rows, ...floorRows], loaded.reason);
  const Database = loaded.module;
  const at = rounds(ctx, sizes, pool);
  let run = 0;
  const file = (name: string) => path.join(ctx.tmpDir, `${name}-${++run}`);
  const ours = () => openOursFile(file('ours.jsonl'));
  ctx.log(`SQLite one transaction per tick, ${sizes.sqlite} messages`);
  const tick = await bestRates(
    at,
    sizes.sqlite,
    ours,
    async () => openSqliteSession(Database, file('sqlite.db'), 'per-tick'),
    () => openMinimalWriter(file('floor.jsonl')),
  );
  ctx.log(`SQLite one transaction per call, ${sizes.sqlite} messages`);
  const call = await bestRates(at, sizes.sqlite, ours, async () =>
    openSqliteSession(Database, file('sqlite.db'), 'per-call'),
  );
  const seq = await sequential(
    sizes,
    pool,
    await ours(),
    openSqliteSession(Database, file('sqlite.db'), 'per-call'),
    await openMinimalWriter(file('floor.jsonl')),
  );
  const messages = loadMessages(sizes.load);
  const oursFile = path.join(ctx.tmpDir, 'load.jsonl');
  const sqliteFile = path.join(ctx.tmpDir, 'load.db');
  await writeOursFile(oursFile, messages);
  writeSqliteSession(Database, sqliteFile, messages);
  const load = await bestLoads(
    at,
    sizes.load,
    () => loadOursFile(oursFile),
    async () => loadSqliteSession(Database, sqliteFile),
    async () => plainReadKeepingMessages(oursFile).messages,
  );
  const floors = [tick, seq, load].map((pair) => ({
    ours: pair.floor ?? Number.NaN,
    peer: pair.peer,
  }));
  return [...figures(rows, [tick, call, seq, load]), ...figures(floorRows, floors)];
}

/** Sequential p50 on fresh sessions, closed afterwards. */
async function sequential(
  sizes: Sizes,
  pool: Message[],
  ours: Opened,
  peer: Opened,
  floor?: Opened,
) {
  try {
    return await sequentialP50(sizes.sequential, sizes.slices, pool, ours, peer, floor);
  } finally {
    await ours.close();
    await peer.close();
    await floor?.close();
  }
}

/** The rows, in order, from one measured pair each (ours is the figure, the peer the baseline). */
function figures(rows: readonly RowSpec[], pairs: readonly Pair[]) {
  if (rows.length !== pairs.length) {
    throw new Error(`${rows.length} rows, ${pairs.length} figures: ${rows[0]?.name ?? ''}`);
  }
  return rows.map((row, i) => {
    const pair = pairs[i] as Pair;
    return compare({ ...row, figure: pair.ours, baseline: pair.peer });
  });
}

function langGraphRows(backend: string, sizes: Sizes): RowSpec[] {
  const ours = backend === 'SQLite' ? 'file (fsync)' : 'PostgreSQL';
  return [
    {
      name: `peers: ${PRODUCERS} producers, ${ours} vs LangGraph ${backend} saver, one put per tick`,
      unit: 'msg/s',
      target: BEST,
    },
    {
      name: `peers: ${PRODUCERS} producers, ${ours} vs LangGraph ${backend} saver, one put per call`,
      unit: 'msg/s',
      target: DOCS_WAY,
    },
    {
      name: `peers: sequential p50, ${ours} vs LangGraph ${backend} saver (one put per turn)`,
      unit: 'µs',
      target: FASTER,
    },
    {
      name: loadName(`LangGraph ${backend} saver getTuple`, sizes.load),
      unit: 'msg/s',
      target: BEST,
    },
  ];
}

/** Our session for the load rows: `write` sets it up (not measured), `ours` loads it. */
interface OursLoad {
  write(messages: Message[]): Promise<void>;
  ours(): Promise<number>;
}

interface SaverFactory {
  /** A saver on a fresh place of its own (a new file, or a new thread id on the server). */
  open(): Promise<{ saver: Saver; threadId: string; close(): Promise<void> }>;
}

async function langGraphFigures(
  ctx: BenchContext,
  sizes: Sizes,
  pool: Message[],
  rows: readonly RowSpec[],
  factory: SaverFactory,
  ours: () => ReturnType<typeof openOursFile>,
  load: OursLoad,
): Promise<Figure[]> {
  const at = rounds(ctx, sizes, pool);
  const thread = async (variant: LangGraphVariant) => {
    const { saver, threadId, close } = await factory.open();
    return openLangGraphThread(saver, variant, close, threadId);
  };
  ctx.log(`LangGraph one put per tick, ${sizes.langgraph} messages`);
  const tick = await bestRates(at, sizes.langgraph, ours, () => thread('per-tick'));
  ctx.log(`LangGraph one put per call, ${sizes.langgraph} messages`);
  const call = await bestRates(at, sizes.langgraph, ours, () => thread('per-call'));
  const direct = await thread('per-call');
  const seq = await sequential(sizes, pool, await ours(), {
    append: direct.direct,
    close: direct.close,
  });
  const messages = loadMessages(sizes.load);
  const target = await factory.open();
  try {
    const writer = openLangGraphThread(
      target.saver,
      'per-call',
      async () => undefined,
      target.threadId,
    );
    await writer.commit(messages);
    await load.write(messages);
    const loads = await bestLoads(at, sizes.load, load.ours, () =>
      loadLangGraphThread(target.saver, target.threadId),
    );
    return figures(rows, [tick, call, seq, loads]);
  } finally {
    await target.close();
  }
}

async function langGraphSqliteFigures(ctx: BenchContext, sizes: Sizes, pool: Message[]) {
  const rows = langGraphRows('SQLite', sizes);
  const sqlite = loadSqlite();
  const module = loadSqliteSaver();
  if (!sqlite.ok) return skipAll(rows, sqlite.reason);
  if (!module.ok) return skipAll(rows, module.reason);
  const Database: SqliteConstructor = sqlite.module;
  let run = 0;
  const factory: SaverFactory = {
    open: async () => {
      const saver = openSqliteSaver(
        module.module,
        Database,
        path.join(ctx.tmpDir, `lg-${++run}.db`),
      );
      return { saver, threadId: 'bench', close: saver.close };
    },
  };
  const oursFile = path.join(ctx.tmpDir, 'lg-load.jsonl');
  return langGraphFigures(
    ctx,
    sizes,
    pool,
    rows,
    factory,
    () => openOursFile(path.join(ctx.tmpDir, `lg-ours-${++run}.jsonl`)),
    {
      write: (messages) => writeOursFile(oursFile, messages),
      ours: () => loadOursFile(oursFile),
    },
  );
}

function emmettRows(sizes: Sizes): RowSpec[] {
  return [
    {
      name: `peers: ${PRODUCERS} producers, PostgreSQL vs Emmett appendToStream without version check`,
      unit: 'msg/s',
      target: BEST,
    },
    {
      name: `peers: ${PRODUCERS} producers, PostgreSQL vs Emmett appendToStream retrying version conflicts`,
      unit: 'msg/s',
      target: DOCS_WAY,
    },
    {
      name: `peers: Emmett without version check, ${PRODUCERS} producers: retries per append`,
      unit: 'retries',
    },
    {
      name: `peers: Emmett retrying version conflicts, ${PRODUCERS} producers: retries per append`,
      unit: 'retries',
    },
    {
      name: 'peers: sequential p50, PostgreSQL vs Emmett appendToStream (version checked)',
      unit: 'µs',
      target: FASTER,
    },
    { name: loadName('Emmett readStream', sizes.load), unit: 'msg/s', target: BEST },
  ];
}

async function emmettFigures(
  ctx: BenchContext,
  sizes: Sizes,
  pool: Message[],
  db: BenchDatabase,
  modules: EmmettModules,
  oursLoad: OursLoad,
): Promise<Figure[]> {
  const rows = emmettRows(sizes);
  const at = rounds(ctx, sizes, pool);
  const store = modules.postgres.getPostgreSQLEventStore(db.url);
  const ourDb: OursPg = db;
  let run = 0;
  const ours = () => openOursPg(ourDb, `ours-${++run}`);
  try {
    // Retries are counted over every round, per append made.
    const counted =
      (variant: EmmettVariant, count: { retries: number; appends: number }) => async () => {
        const stream = openEmmettStream(modules, store, `chat-${++run}`, variant);
        return {
          append: stream.append,
          close: async () => {
            count.retries += stream.retries();
            count.appends += sizes.emmett;
          },
        };
      };
    const noCheckCount = { retries: 0, appends: 0 };
    const retryCount = { retries: 0, appends: 0 };
    ctx.log(`Emmett without version check, ${sizes.emmett} messages`);
    const noCheck = await bestRates(at, sizes.emmett, ours, counted('no-check', noCheckCount));
    ctx.log(`Emmett retrying conflicts, ${sizes.emmett} messages`);
    const retry = await bestRates(at, sizes.emmett, ours, counted('retry', retryCount));
    const seq = await sequential(
      sizes,
      pool,
      await ours(),
      openEmmettStream(modules, store, `chat-${++run}`, 'retry'),
    );
    const messages = loadMessages(sizes.load);
    await writeEmmettStream(modules, store, 'chat-load', messages);
    await oursLoad.write(messages);
    const load = await bestLoads(at, sizes.load, oursLoad.ours, () =>
      loadEmmettStream(store, 'chat-load'),
    );
    const [a, b, c, d, e, f] = rows as [RowSpec, RowSpec, RowSpec, RowSpec, RowSpec, RowSpec];
    return [
      ...figures([a, b], [noCheck, retry]),
      compare({ ...c, figure: noCheckCount.retries, baseline: noCheckCount.appends }),
      compare({ ...d, figure: retryCount.retries, baseline: retryCount.appends }),
      ...figures([e, f], [seq, load]),
    ];
  } finally {
    await store.close();
  }
}

async function postgresFigures(
  ctx: BenchContext,
  sizes: Sizes,
  pool: Message[],
): Promise<Figure[]> {
  const emmettSpec = emmettRows(sizes);
  const lgSpec = langGraphRows('PostgreSQL', sizes);
  const url = process.env.CONTEXTLOG_PG_URL;
  const emmett = loadEmmett();
  const saverModule = loadPostgresSaver();
  if (url === undefined || url === '') {
    return [
      ...skipAll(emmettSpec, emmett.ok ? NO_SERVER : emmett.reason),
      ...skipAll(lgSpec, saverModule.ok ? NO_SERVER : saverModule.reason),
    ];
  }
  if (!emmett.ok && !saverModule.ok) {
    return [...skipAll(emmettSpec, emmett.reason), ...skipAll(lgSpec, saverModule.reason)];
  }
  const db = await createBenchDatabase(url);
  ctx.log(
    `PostgreSQL ${db.version} server, database of this run: ${new URL(db.url).pathname.slice(1)}`,
  );
  // Our 100k-message session is written once, loaded against each peer.
  let written: Promise<void> | undefined;
  const oursLoad: OursLoad = {
    write: (messages) => {
      written ??= writeOursPg(db, 'ours-load', messages);
      return written;
    },
    ours: () => loadOursPg(db, 'ours-load'),
  };
  try {
    const out: Figure[] = emmett.ok
      ? await emmettFigures(ctx, sizes, pool, db, emmett.module, oursLoad)
      : skipAll(emmettSpec, emmett.reason);
    if (!saverModule.ok) return [...out, ...skipAll(lgSpec, saverModule.reason)];
    let run = 0;
    const factory: SaverFactory = {
      open: async () => {
        const saver = saverModule.module.PostgresSaver.fromConnString(db.url);
        await saver.setup();
        return { saver, threadId: `thread-${++run}`, close: () => saver.end() };
      },
    };
    return [
      ...out,
      ...(await langGraphFigures(
        ctx,
        sizes,
        pool,
        lgSpec,
        factory,
        () => openOursPg(db, `lg-ours-${++run}`),
        oursLoad,
      )),
    ];
  } finally {
    await db.drop();
  }
}

/**
 * contextlog against the stores an agent would use otherwise (issue 18), on the same messages,
 * one session, fsync'd where the peer can be, each ratio measured in this run with ours and the
 * peer alternated. Peers come from `packages/bench/peers` (`pnpm bench:peers`); a peer not
 * installed, or a PostgreSQL peer without `CONTEXTLOG_PG_URL`, prints its rows as SKIP.
 */
export const peersScenario: Scenario = {
  id: 'peers',
  title: 'contextlog vs SQLite, LangGraph checkpointers and Emmett on the same messages',
  async run(ctx) {
    const sizes: Sizes = {
      rounds: ctx.size(3, 1),
      sqlite: ctx.size(20_000, 500),
      langgraph: ctx.size(500, 100),
      emmett: ctx.size(500, 100),
      sequential: ctx.size(1_000, 60),
      slices: ctx.size(4, 2),
      load: ctx.size(100_000, 2_000),
    };
    const pool = messagePool(1024);
    return [
      ...(await sqliteFigures(ctx, sizes, pool)),
      ...(await langGraphSqliteFigures(ctx, sizes, pool)),
      ...(await postgresFigures(ctx, sizes, pool)),
    ];
  },
};
