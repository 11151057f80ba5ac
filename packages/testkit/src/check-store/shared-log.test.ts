import {
  ConcurrencyError,
  type EventStore,
  StoreBrokenError,
  StoreClosedError,
  type StoredEvent,
} from '@contextlog/core';
import {
  checkBatchContinuity,
  createEventParser,
  DEFAULT_KIND,
  kindAfter,
} from '@contextlog/core/store';
import { describe, expect, it } from 'vitest';
import { checkStalledAppend, checkTwoWriters, type MakeStore, runStoreChecks } from '../index.js';
import { checkStore } from '../vitest.js';

/**
 * A store on a log that several stores share (a file, a table): it keeps one JSON text per
 * event, and a write lands at once but replies a macrotask later, as over a network. Without a
 * flaw it keeps the contract; each flaw is one way to break it under two writers or a stall.
 */
type Flaw =
  | 'none'
  /** Reads the head, awaits a round trip, then inserts if no seq is taken (hole 1's pg store). */
  | 'check-then-insert'
  /** Each store checks `expectedSeq` against the head it saw itself, not the shared log's. */
  | 'own-head'
  /** A writer that comes while another one's write is in flight gets a plain 'busy' Error. */
  | 'busy-error'
  /** An append whose write never replies waits for ever. */
  | 'stall-hangs'
  /** After the timeout it rejects as if nothing was stored, and goes on. */
  | 'stall-lies'
  /** It settles the stalled append, but `close()` waits for the write's reply. */
  | 'close-waits-for-writes';

interface SharedLog {
  readonly lines: string[];
  stallNext: boolean;
  /** A write is waiting for its reply ('busy-error' only). */
  busy: boolean;
}

const SETTLE_MS = 50;

const seqOf = (line: string) => (JSON.parse(line) as StoredEvent).seq;
const headOf = (log: SharedLog) => {
  const last = log.lines.at(-1);
  return last === undefined ? 0 : seqOf(last);
};
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function openOn(log: SharedLog, flaw: Flaw): EventStore {
  let closed = false;
  let broken: StoreBrokenError | undefined;
  let ownHead = headOf(log);
  const replies = new Set<Promise<void>>();

  /** The lines land now; the reply comes a macrotask later, or never after a stall. */
  const write = (lines: readonly string[]): Promise<void> => {
    log.lines.push(...lines);
    if (flaw === 'check-then-insert') log.lines.sort((a, b) => seqOf(a) - seqOf(b));
    const reply = log.stallNext ? new Promise<void>(() => {}) : tick();
    log.stallNext = false;
    replies.add(reply);
    reply.then(() => replies.delete(reply));
    return reply;
  };

  /** Waits for a write's reply, at most SETTLE_MS (except 'stall-hangs'). */
  const awaitReply = async (reply: Promise<void>): Promise<void> => {
    if (flaw === 'stall-hangs') return reply;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (flaw === 'stall-lies') return reject(new Error('the write got no reply'));
        broken = new StoreBrokenError('the write got no reply: it may or may not be stored');
        reject(broken);
      }, SETTLE_MS);
    });
    try {
      await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    async *load() {
      if (closed) throw new StoreClosedError();
      for (const line of log.lines.slice()) yield JSON.parse(line) as StoredEvent;
    },
    async append(events, { expectedSeq }) {
      if (closed) throw new StoreClosedError();
      if (broken !== undefined) throw broken;
      // As a real store: messages are checked with the dialect the log declared.
      const kind = kindAfter(
        DEFAULT_KIND,
        log.lines.map((line) => JSON.parse(line) as StoredEvent),
      );
      const parser = createEventParser({ kind });
      const parsed = events.map((event) => parser.parse(event));
      const head = flaw === 'own-head' ? ownHead : headOf(log);
      if (flaw === 'check-then-insert') await tick();
      if (flaw === 'busy-error' && log.busy) throw new Error('the log is busy');
      if (expectedSeq !== head) throw new ConcurrencyError(expectedSeq, head);
      const last = checkBatchContinuity(parsed, head);
      const taken = new Set(log.lines.map(seqOf));
      if (parsed.some((event) => taken.has(event.seq))) {
        throw new ConcurrencyError(expectedSeq, headOf(log)); // the primary key
      }
      ownHead = last;
      log.busy = true;
      try {
        await awaitReply(write(parsed.map((event) => JSON.stringify(event))));
      } finally {
        log.busy = false;
      }
    },
    async close() {
      closed = true;
      if (flaw === 'close-waits-for-writes') await Promise.all(replies);
    },
  };
}

const sharedLog =
  (flaw: Flaw, options: { readonly lock?: boolean; readonly openError?: string } = {}): MakeStore =>
  async () => {
    const log: SharedLog = { lines: [], stallNext: false, busy: false };
    return {
      store: openOn(log, flaw),
      reopen: async () => openOn(log, flaw),
      openAnother: async () => {
        if (options.lock === true) {
          throw Object.assign(new Error('locked'), { code: options.openError ?? 'SESSION_LOCKED' });
        }
        return openOn(log, flaw);
      },
      stall: {
        stallNextWrite: () => {
          log.stallNext = true;
        },
        settleWithinMs: SETTLE_MS,
      },
    };
  };

checkStore('shared-log store', sharedLog('none'));
checkStore('shared-log store that opens one store at a time', sharedLog('none', { lock: true }));

describe('the two-writer check catches stores that let two writers commit', () => {
  it("a store that checks the head, then inserts (hole 1's pg store) fails on a snapshot batch", async () => {
    await expect(checkTwoWriters(sharedLog('check-then-insert'))).rejects.toThrow(
      /a first append \(seqs 1-2\) against a batch starting with a snapshot at seq 5 \(.*\): both appends resolved, two writers committed into one log \(it holds seqs \[1,2,5,6\]\)/,
    );
  });

  it('a store that checks expectedSeq against its own view of the head fails', async () => {
    await expect(checkTwoWriters(sharedLog('own-head'))).rejects.toThrow(/both appends resolved/);
  });

  it("a store whose loser gets a plain 'busy' Error fails", async () => {
    await expect(checkTwoWriters(sharedLog('busy-error'))).rejects.toThrow(
      /the losing append rejected with code undefined \(Error: the log is busy\), expected code 'CONCURRENCY'/,
    );
  });

  it('a store that refuses to open a second store on the log passes', async () => {
    await checkTwoWriters(sharedLog('check-then-insert', { lock: true }));
  });

  it('a store whose second open fails for another reason fails (that is no lock)', async () => {
    await expect(
      checkTwoWriters(sharedLog('check-then-insert', { lock: true, openError: 'EMFILE' })),
    ).rejects.toThrow(/openAnother\(\) rejected with EMFILE: a store that admits one writer/);
  });
});

describe('the stall check catches stores that do not settle an append without a reply', () => {
  it('a store that waits for ever fails, within its declared bound', async () => {
    const started = Date.now();
    await expect(checkStalledAppend(sharedLog('stall-hangs'))).rejects.toThrow(
      /an append whose write never got a reply .* was still pending after 155 ms \(settleWithinMs 50/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a store that rejects as if nothing was stored, when it cannot tell, fails', async () => {
    await expect(checkStalledAppend(sharedLog('stall-lies'))).rejects.toThrow(
      /the stalled append rejected with code undefined \(Error: the write got no reply\), the next one rejected with code "CONCURRENCY" .*; load\(\) returned seqs \[1,2,3\], expected \[1,2\]: an append that rejects must have stored nothing/,
    );
  });

  it('a store whose close() waits for the reply fails', async () => {
    await expect(checkStalledAppend(sharedLog('close-waits-for-writes'))).rejects.toThrow(
      /the stalled append rejected with code "STORE_BROKEN" .*; close\(\) was still pending/,
    );
  });

  it('without a flaw the store passes every check (so each catch is the flaw)', async () => {
    await runStoreChecks(sharedLog('none'), { reopen: true, twoWriters: true, stall: true });
  });
});
