/** Appends that resolve once the batch holding them is committed. */
export interface CommitQueue<T> {
  append(item: T): Promise<void>;
}

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One committer at a time, as a peer that has a single writer per session must be used: items
 * queued while a commit runs (or in the same tick, since a commit starts on `setImmediate`) form
 * the next batch, of at most `maxBatch` items (1: one commit per append call, in call order).
 */
export function createCommitQueue<T>(
  commit: (batch: readonly T[]) => Promise<void> | void,
  maxBatch: number,
): CommitQueue<T> {
  let queue: Pending<T>[] = [];
  let scheduled = false;

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await commit(batch.map((pending) => pending.item));
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
      // Let the callers just resumed queue their next items before the next batch is taken.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    scheduled = false;
  };

  return {
    append(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
