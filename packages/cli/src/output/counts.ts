import type { ReadSessionResult } from '@contextlog/fs-adapter';

/** "8 lines, 7 events, 1127 bytes", plus skipped and blank lines when there are any. */
export function describeCounts(counts: ReadSessionResult['counts']): string {
  const parts = [
    `${counts.lines} line${counts.lines === 1 ? '' : 's'}`,
    `${counts.events} event${counts.events === 1 ? '' : 's'}`,
  ];
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.blank > 0) parts.push(`${counts.blank} blank`);
  parts.push(`${counts.bytes} bytes`);
  return parts.join(', ');
}
