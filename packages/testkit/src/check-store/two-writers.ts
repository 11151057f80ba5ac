import { codeOf, type EventStore, hasCode, type StoredEvent } from '@contextlog/core';
import { fuzzRuns } from '../check-engine/check-engine.js';
import { preview } from '../json.js';
import { loadAll, type MakeStore, openStoreUnderTest } from '../store-factory.js';
import {
  describeSettled,
  expectLog,
  fail,
  type Settled,
  type StoreCheck,
  settled,
  snapshotEvent,
  someEvents,
} from './support.js';

interface Race {
  readonly name: string;
  /** The batch each store appends on the empty log (the first store's, the second's). */
  readonly batches: readonly [StoredEvent[], StoredEvent[]];
}

const snapshotBatch = () => [snapshotEvent(5), ...someEvents(1, 5, 'after the snapshot')];

/**
 * A batch starting past seq 1 (a log's starting snapshot) never collides with seq 1 by seq: a
 * store that only checks its last seq against `expectedSeq` before inserting lets both commit.
 */
const RACES: readonly Race[] = [
  {
    name: 'a first append (seqs 1-2) against a batch starting with a snapshot at seq 5',
    batches: [someEvents(2, 0, 'first store'), snapshotBatch()],
  },
  {
    name: 'a batch starting with a snapshot at seq 5 against a first append (seqs 1-2)',
    batches: [snapshotBatch(), someEvents(2, 0, 'second store')],
  },
  {
    name: 'two first appends (seq 1)',
    batches: [someEvents(1, 0, 'first store'), someEvents(1, 0, 'second store')],
  },
];

interface Start {
  readonly name: string;
  readonly wait?: () => Promise<void>;
}

const after = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** When the second append starts, after the first one was called. */
const STARTS: readonly Start[] = [
  { name: 'in the same tick' },
  { name: 'a microtask later', wait: () => Promise.resolve() },
  { name: 'a macrotask later', wait: after(0) },
  { name: '1 ms later', wait: after(1) },
  { name: '3 ms later', wait: after(3) },
];

/** Every interleaving, cycled through by the rounds. */
const INTERLEAVINGS = RACES.length * STARTS.length * 2;

/** The codes that say "this log has a writer already" when a second store opens it. */
const ONE_WRITER_CODES: ReadonlySet<string> = new Set(['SESSION_LOCKED', 'CONCURRENCY']);

/**
 * Two stores opened on one log (`openAnother`) race their first appends, `expectedSeq` 0 both.
 * Exactly one may commit; the other must reject with code CONCURRENCY and store nothing; both
 * stores then load exactly the winner's batch, and the loser can go on from it. A store that
 * refuses to open a second store on the log (a lock: code SESSION_LOCKED or CONCURRENCY) passes;
 * any other failure to open it fails the check. Each round is a fresh log.
 */
export const checkTwoWriters: StoreCheck = async (makeStore) => {
  const rounds = Math.max(INTERLEAVINGS, fuzzRuns(2 * INTERLEAVINGS));
  for (let round = 0; round < rounds; round++) {
    const race = RACES[round % RACES.length] as Race;
    const start = STARTS[Math.floor(round / RACES.length) % STARTS.length] as Start;
    const secondFirst = Math.floor(round / (RACES.length * STARTS.length)) % 2 === 1;
    if ((await raceOnce(makeStore, { race, start, secondFirst })) === 'refused') return;
  }
};

/** One race: which batches, when the later append starts, and which store calls first. */
interface RaceSetup {
  readonly race: Race;
  readonly start: Start;
  /** The second store calls `append` first. */
  readonly secondFirst: boolean;
}

async function raceOnce(
  makeStore: MakeStore,
  { race, start, secondFirst }: RaceSetup,
): Promise<'refused' | 'raced'> {
  const made = await openStoreUnderTest(makeStore);
  let other: EventStore | undefined;
  try {
    if (made.openAnother === undefined) fail('makeStore returned no openAnother(): no race');
    try {
      other = await made.openAnother();
    } catch (error) {
      // One writer per log, enforced at open: nothing can race. Any other failure to open is
      // the store's bug, not a lock.
      const code = codeOf(error);
      if (code !== undefined && ONE_WRITER_CODES.has(code)) return 'refused';
      fail(
        `openAnother() rejected with ${code ?? preview(error, 200)}: a store that admits one writer per log must refuse the second with code ${[...ONE_WRITER_CODES].join(' or ')}`,
      );
    }
    const stores = [made.store, other] as const;
    const [early, late] = secondFirst ? ([1, 0] as const) : ([0, 1] as const);
    const append = (index: 0 | 1) =>
      settled(stores[index].append(race.batches[index], { expectedSeq: 0 }));
    const outcomes: Promise<Settled>[] = [];
    outcomes[early] = append(early);
    await start.wait?.();
    outcomes[late] = append(late);
    const [first, second] = (await Promise.all(outcomes)) as [Settled, Settled];
    const when =
      `${race.name} (the ${secondFirst ? 'second' : 'first'} store called append first, ` +
      `the other ${start.name})`;
    await judgeRace({ when, stores, race, first, second });
    return 'raced';
  } finally {
    await made.store.close().catch(() => undefined);
    await other?.close().catch(() => undefined);
    await made.dispose?.();
  }
}

/** A race run: the two stores and how each one's append settled. */
interface RaceOutcome {
  /** Says which race, for messages. */
  readonly when: string;
  readonly stores: readonly [EventStore, EventStore];
  readonly race: Race;
  readonly first: Settled;
  readonly second: Settled;
}

async function judgeRace({ when, stores, race, first, second }: RaceOutcome): Promise<void> {
  if (first.status === 'resolved' && second.status === 'resolved') {
    fail(
      `${when}: both appends resolved, two writers committed into one log (${await holds(stores[0])}): the second must be refused with code 'CONCURRENCY'`,
    );
  }
  if (first.status === 'rejected' && second.status === 'rejected') {
    fail(
      `${when}: neither append committed (first store: ${describeSettled(first)}; second store: ${describeSettled(second)}): one of two writers on an empty log must win`,
    );
  }
  const winner = first.status === 'resolved' ? 0 : 1;
  const loser = second.status === 'resolved' ? first : second;
  if (loser.status === 'rejected' && !hasCode(loser.error, 'CONCURRENCY')) {
    fail(`${when}: the losing append ${describeSettled(loser)}, expected code 'CONCURRENCY'`);
  }
  const won = race.batches[winner];
  const names = ['first', 'second'];
  for (const [index, store] of stores.entries()) {
    await expectLog(store, won, `${when}: the ${names[index]} store after the race`);
  }
  // The loser reloads and goes on, as an engine does after a ConcurrencyError.
  const lastSeq = won.at(-1)?.seq ?? 0;
  const next = someEvents(1, lastSeq, 'after the race');
  try {
    await stores[1 - winner]?.append(next, { expectedSeq: lastSeq });
  } catch (error) {
    fail(
      `${when}: the losing store could not go on from the winner's seq ${lastSeq}: ${describeSettled({ status: 'rejected', error })}`,
    );
  }
  for (const [index, store] of stores.entries()) {
    await expectLog(
      store,
      [...won, ...next],
      `${when}: the ${names[index]} store after the loser went on`,
    );
  }
}

/** What the log holds, for a failure message: its seqs, or why it cannot be loaded. */
async function holds(store: EventStore): Promise<string> {
  const loading = await settled(loadAll(store));
  return loading.status === 'resolved'
    ? `it holds seqs [${loading.value.map((event) => event.seq).join(',')}]`
    : `load() then ${describeSettled(loading)}`;
}
