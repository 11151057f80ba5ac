/** The `peers` rows on files: our fsync'd session vs SQLite and LangGraph's SqliteSaver. */
import * as path from 'node:path';
import type { Message } from '@contextlog/core';
import { openMinimalWriter } from '../lib/minimal-writer.js';
import { plainReadKeepingMessages } from '../lib/plain-reader.js';
import { bestLoads, bestRates, PRODUCERS } from '../peers/drive.js';
import { loadSqliteSaver, openSqliteSaver } from '../peers/langgraph.js';
import { langGraphFigures, langGraphRows, type SaverFactory } from '../peers/langgraph-rows.js';
import { loadOursFile, openOursFile, writeOursFile } from '../peers/ours.js';
import {
  BEST,
  DOCS_WAY,
  FASTER,
  figures,
  loadMessages,
  loadName,
  type RowSpec,
  rounds,
  type Sizes,
  sequential,
  skipAll,
} from '../peers/rows.js';
import {
  loadSqlite,
  loadSqliteSession,
  openSqliteSession,
  type SqliteConstructor,
  writeSqliteSession,
} from '../peers/sqlite.js';
import type { BenchContext, Figure } from '../scenario.js';

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

export async function sqliteFigures(
  ctx: BenchContext,
  sizes: Sizes,
  pool: Message[],
): Promise<Figure[]> {
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

export async function langGraphSqliteFigures(ctx: BenchContext, sizes: Sizes, pool: Message[]) {
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
