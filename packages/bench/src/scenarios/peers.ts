import { messagePool } from '../data/messages.js';
import type { Sizes } from '../peers/rows.js';
import type { Scenario } from '../scenario.js';
import { langGraphSqliteFigures, sqliteFigures } from './peers-file.js';
import { postgresFigures } from './peers-postgres.js';

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
