import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, renderProgress } from './progress.js';

describe('progress bar', () => {
  it('renders the fraction read', () => {
    const line = renderProgress(50 * 1024 * 1024, 200 * 1024 * 1024, 80);
    expect(line).toMatch(/^replaying \[#+\.+\] {2}25% 50\/200 MiB$/);
    expect(renderProgress(10, 10, 80)).toContain('100%');
    expect(renderProgress(0, 0, 80)).toContain('100%');
  });

  it('shows the rate and the time left once half a second has passed', () => {
    const MIB = 1024 * 1024;
    expect(renderProgress(50 * MIB, 200 * MIB, 100, undefined, 400)).not.toMatch(/ETA/);
    // 50 MiB in 2 s: 25 MiB/s, 150 MiB left: 6 s.
    expect(renderProgress(50 * MIB, 200 * MIB, 100, undefined, 2000)).toMatch(
      /25% 50\/200 MiB 25 MiB\/s ETA 6s$/,
    );
    expect(renderProgress(MIB, 1000 * MIB, 100, undefined, 2000)).toMatch(
      /0\.5 MiB\/s ETA 33m18s$/,
    );
  });

  it('formats durations briefly', () => {
    expect([0, 59.4, 65, 3599, 3720].map(formatDuration)).toEqual([
      '0s',
      '59s',
      '1m05s',
      '59m59s',
      '1h02m',
    ]);
  });

  it('redraws at most ten times a second, always at the end, and erases itself', () => {
    const writes: string[] = [];
    let time = 0;
    const progress = createProgress(
      { write: (text: string) => writes.push(text), columns: 80 },
      () => time,
    );
    for (let bytes = 0; bytes < 100; bytes++) {
      time += 10;
      progress.update(bytes, 100);
    }
    progress.update(100, 100);
    progress.done();
    expect(writes.length).toBeGreaterThan(5);
    expect(writes.length).toBeLessThan(15);
    expect(writes.at(-2)).toContain('100%');
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
