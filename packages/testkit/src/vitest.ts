// What needs vitest: the `checkStore` suite. Everything else is in the main entry.
import { describe, it } from 'vitest';
import { checkReopen, STORE_CHECKS } from './check-store/checks.js';
import { type MakeStore, openStoreUnderTest } from './store-factory.js';

export interface CheckStoreOptions {
  /**
   * Whether `makeStore` returns `{ store, reopen }` so reopening can be checked (default: true
   * when the first store made has `reopen`; set it to skip that probe).
   */
  readonly reopen?: boolean;
}

/**
 * The conformance suite every `EventStore` runs, as a vitest `describe` block: round trip,
 * order, seq continuity, all-or-nothing batches, `expectedSeq` conflicts (stale and ahead),
 * close semantics, a large batch, odd characters, compacted logs and (when `makeStore` can
 * reopen a store) reopening.
 */
export function checkStore(
  name: string,
  makeStore: MakeStore,
  options: CheckStoreOptions = {},
): void {
  describe(`EventStore conformance: ${name}`, () => {
    for (const [title, check] of Object.entries(STORE_CHECKS)) {
      it(title, () => check(makeStore));
    }
    const reopen = options.reopen;
    if (reopen === false) return;
    it('reopens with every committed event and goes on from the last seq', async (context) => {
      if (reopen === undefined) {
        const probe = await openStoreUnderTest(makeStore);
        await probe.store.close();
        await probe.dispose?.();
        if (probe.reopen === undefined) {
          context.skip('makeStore returns no reopen()');
          return;
        }
      }
      await checkReopen(makeStore);
    });
  });
}
