import type { ReadSessionResult } from '@contextlog/fs-adapter';
import { plural } from './plural.js';

/** "8 lines, 7 events, 1127 bytes", plus skipped and blank lines when there are any. */
export function describeCounts(counts: ReadSessionResult['counts']): string {
  const parts = [plural(counts.lines, 'line'), plural(counts.events, 'event')];
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  if (counts.blank > 0) parts.push(`${counts.blank} blank`);
  parts.push(`${counts.bytes} bytes`);
  return parts.join(', ');
}
