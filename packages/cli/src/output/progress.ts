/** Where a progress bar draws: a terminal stream. */
export interface ProgressTarget {
  write(text: string): unknown;
  readonly columns?: number;
}

export interface Progress {
  update(bytesRead: number, totalBytes: number): void;
  /** Erases the bar, leaving the terminal line clean for the output that follows. */
  done(): void;
}

/** Files smaller than this replay in well under a second: no bar. */
export const PROGRESS_THRESHOLD_BYTES = 32 * 1024 * 1024;

const MIB = 1024 * 1024;

/** What a bar counts: the bytes of a replay (the default), or items such as sessions. */
export interface ProgressUnits {
  /** The word before the bar (`replaying`). */
  readonly label: string;
  /** `done/total` as the label shows it (`50/200 MiB`). */
  amount(done: number, total: number): string;
}

export const BYTES: ProgressUnits = {
  label: 'replaying',
  amount: (done, total) => `${(done / MIB).toFixed(0)}/${(total / MIB).toFixed(0)} MiB`,
};

export function renderProgress(
  bytesRead: number,
  totalBytes: number,
  width: number,
  units: ProgressUnits = BYTES,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  const label = ` ${Math.floor(fraction * 100)
    .toString()
    .padStart(3)}% ${units.amount(bytesRead, totalBytes)}`;
  const barWidth = Math.max(10, Math.min(40, width - label.length - units.label.length - 3));
  const filled = Math.round(fraction * barWidth);
  return `${units.label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${label}`;
}

/** A bar redrawn at most ten times a second on one terminal line. */
export function createProgress(
  target: ProgressTarget,
  now = () => Date.now(),
  units: ProgressUnits = BYTES,
): Progress {
  let last = 0;
  let drawn = false;
  return {
    update(bytesRead, totalBytes) {
      const time = now();
      if (drawn && time - last < 100 && bytesRead < totalBytes) return;
      last = time;
      drawn = true;
      target.write(`\r${renderProgress(bytesRead, totalBytes, target.columns || 80, units)}`);
    },
    done() {
      if (drawn) target.write('\r\x1b[K');
      drawn = false;
    },
  };
}
