// What needs vitest: the `checkStore` suite. Everything else is in the main entry.
import { describe, it, type TestContext } from 'vitest';
import { checkReopen, dialectChecks, STORE_CHECKS } from './check-store/checks.js';
import { checkStalledAppend } from './check-store/stalled-append.js';
import { checkTwoWriters } from './check-store/two-writers.js';
import type { FuzzedDialect } from './dialects/fuzzed-dialect.js';
import { type MakeStore, openStoreUnderTest, type StoreUnderTest } from './store-factory.js';

export interface CheckStoreOptions {
  /**
   * Whether `makeStore` returns `{ store, reopen }` so reopening can be checked (default: true
   * when the first store made has `reopen`; set it to skip that probe).
   */
  readonly reopen?: boolean;
  /**
   * Dialects whose sessions the store must keep too (an adapter's own, with its arbitrary),
   * beside the testkit's notes dialect that every store is checked with.
   */
  readonly dialects?: readonly FuzzedDialect<unknown>[];
}

type OptionalMember = 'reopen' | 'openAnother' | 'stall';

/**
 * The conformance suite every `EventStore` runs, as a vitest `describe` block: round trip,
 * order, seq continuity, all-or-nothing batches, `expectedSeq` conflicts (stale and ahead),
 * close semantics, a large batch, odd characters, logs that start with a snapshot, the caller's
 * objects and, when `makeStore` returns what they need, reopening, two stores racing on one log
 * and an append whose write never replies (each skipped, saying why, without it).
 */
export function checkStore(
  name: string,
  makeStore: MakeStore,
  options: CheckStoreOptions = {},
): void {
  // One store made and thrown away tells which optional members the factory returns.
  let probe: Promise<StoreUnderTest> | undefined;
  const has = async (member: OptionalMember): Promise<boolean> => {
    probe ??= openStoreUnderTest(makeStore).then(async (made) => {
      await made.store.close();
      await made.dispose?.();
      return made;
    });
    return (await probe)[member] !== undefined;
  };
  /** Skips the test (saying why) unless the factory returns `member`. */
  const needs = async (member: OptionalMember, context: TestContext): Promise<boolean> => {
    if (await has(member)) return true;
    context.skip(`makeStore returns no ${member}`);
    return false;
  };

  describe(`EventStore conformance: ${name}`, () => {
    const checks = { ...STORE_CHECKS, ...dialectChecks(options.dialects ?? []) };
    for (const [title, check] of Object.entries(checks)) {
      it(title, () => check(makeStore));
    }
    it('two stores on one log racing: one commits, the other gets CONCURRENCY (or cannot open)', async (context) => {
      if (await needs('openAnother', context)) await checkTwoWriters(makeStore);
    });
    // No vitest timeout: the check bounds each of its steps by the store's own settleWithinMs.
    it('settles an append whose write never replies, within settleWithinMs', async (context) => {
      if (await needs('stall', context)) await checkStalledAppend(makeStore);
    }, 0);
    const reopen = options.reopen;
    if (reopen === false) return;
    it('reopens with every committed event and goes on from the last seq', async (context) => {
      if (reopen === undefined && !(await needs('reopen', context))) return;
      await checkReopen(makeStore);
    });
  });
}
