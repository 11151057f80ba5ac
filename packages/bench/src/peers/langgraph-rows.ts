/** The LangGraph checkpointer rows, on either backend (SQLite file or PostgreSQL). */
import type { Message } from '@contextlog/core';
import type { BenchContext, Figure } from '../scenario.js';
import { bestLoads, bestRates, PRODUCERS } from './drive.js';
import {
  type LangGraphVariant,
  loadLangGraphThread,
  openLangGraphThread,
  type Saver,
} from './langgraph.js';
import type { openOursFile } from './ours.js';
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
} from './rows.js';

export function langGraphRows(backend: string, sizes: Sizes): RowSpec[] {
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
export interface OursLoad {
  write(messages: Message[]): Promise<void>;
  ours(): Promise<number>;
}

export interface SaverFactory {
  /** A saver on a fresh place of its own (a new file, or a new thread id on the server). */
  open(): Promise<{ saver: Saver; threadId: string; close(): Promise<void> }>;
}

export async function langGraphFigures(
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
