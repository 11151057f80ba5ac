/** The `peers` rows on PostgreSQL: our pg session vs Emmett and LangGraph's PostgresSaver. */
import type { Message } from '@contextlog/core';
import { bestLoads, bestRates, PRODUCERS } from '../peers/drive.js';
import {
  type EmmettModules,
  type EmmettVariant,
  loadEmmett,
  loadEmmettStream,
  openEmmettStream,
  writeEmmettStream,
} from '../peers/emmett.js';
import { loadPostgresSaver } from '../peers/langgraph.js';
import {
  langGraphFigures,
  langGraphRows,
  type OursLoad,
  type SaverFactory,
} from '../peers/langgraph-rows.js';
import { loadOursPg, type OursPg, openOursPg, writeOursPg } from '../peers/ours.js';
import { type BenchDatabase, createBenchDatabase } from '../peers/pg-database.js';
import {
  BEST,
  DOCS_WAY,
  FASTER,
  figures,
  loadMessages,
  loadName,
  NO_SERVER,
  type RowSpec,
  rounds,
  type Sizes,
  sequential,
  skipAll,
} from '../peers/rows.js';
import { type BenchContext, compare, type Figure } from '../scenario.js';

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

export async function postgresFigures(
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
