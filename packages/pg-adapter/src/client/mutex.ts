/** A FIFO async lock: `acquire()` resolves with the function that releases it. */
export interface Mutex {
  acquire(): Promise<() => void>;
}

export function createMutex(): Mutex {
  let tail: Promise<void> = Promise.resolve();
  return {
    acquire() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const ready = tail.then(() => {
        let released = false;
        return () => {
          if (released) return;
          released = true;
          release();
        };
      });
      tail = tail.then(() => held);
      return ready;
    },
  };
}
