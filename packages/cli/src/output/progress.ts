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
  /** A rate, per second (`85 MiB/s`). */
  rate(perSecond: number): string;
}

export const BYTES: ProgressUnits = {
  label: 'replaying',
  amount: (done, total) => `${(done / MIB).toFixed(0)}/${(total / MIB).toFixed(0)} MiB`,
  rate: (perSecond) => `${(perSecond / MIB).toFixed(perSecond < 10 * MIB ? 1 : 0)} MiB/s`,
};

/** Counts of messages, as a rewrite writes them. */
export const MESSAGES: ProgressUnits = {
  label: 'writing',
  amount: (done, total) => `${done}/${total} messages`,
  rate: (perSecond) => `${Math.round(perSecond)} messages/s`,
};

/** Counts of events, as a copy from PostgreSQL reads them. */
export const EVENTS: ProgressUnits = {
  label: 'copying',
  amount: (done, total) => `${done}/${total} events`,
  rate: (perSecond) => `${Math.round(perSecond)} events/s`,
};

/** Seconds as a short duration: `42s`, `3m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// Below this, a rate is mostly the start-up cost: shown as nothing rather than as a wrong ETA.
const MIN_ELAPSED_FOR_RATE_MS = 500;

/**
 * One line of the bar: the fraction done, the amount, and once half a second has passed
 * (`elapsedMs`), the rate and the time left at that rate.
 */
export function renderProgress(
  bytesRead: number,
  totalBytes: number,
  width: number,
  units: ProgressUnits = BYTES,
  elapsedMs = 0,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, bytesRead / totalBytes) : 1;
  let timing = '';
  if (elapsedMs >= MIN_ELAPSED_FOR_RATE_MS && bytesRead > 0) {
    const perSecond = bytesRead / (elapsedMs / 1000);
    const left = Math.max(0, totalBytes - bytesRead) / perSecond;
    timing = ` ${units.rate(perSecond)} ETA ${formatDuration(left)}`;
  }
  const label = ` ${Math.floor(fraction * 100)
    .toString()
    .padStart(3)}% ${units.amount(bytesRead, totalBytes)}${timing}`;
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
  const started = now();
  return {
    update(bytesRead, totalBytes) {
      const time = now();
      if (drawn && time - last < 100 && bytesRead < totalBytes) return;
      last = time;
      drawn = true;
      const line = renderProgress(
        bytesRead,
        totalBytes,
        target.columns || 80,
        units,
        time - started,
      );
      target.write(`\r${line}`);
    },
    done() {
      if (drawn) target.write('\r\x1b[K');
      drawn = false;
    },
  };
}
