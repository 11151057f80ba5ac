import { z } from 'zod';

/**
 * The `type` of the entry this package appends after the entries of every `append` batch, in the
 * same `messages.appended` event: the batch's storage time and, for a main transcript, the SDK's
 * session summary after it. A summary so commits with its entries or not at all, and a listing
 * reads only each session's last event. `load` leaves these entries out; an entry of this type
 * from the SDK is refused (`ReservedEntryTypeError`).
 */
export const SUMMARY_MARKER_TYPE = 'contextlog.summary';

const SummaryMarkerSchema = z.object({
  type: z.literal(SUMMARY_MARKER_TYPE),
  /** Storage time (integer Unix ms), strictly after the session's previous one. */
  mtime: z.number().int().nonnegative(),
  /** The SDK's `SessionSummaryEntry.data` (opaque to us), main transcripts only. */
  summary: z.record(z.string(), z.unknown()).optional(),
});

export type SummaryMarker = z.infer<typeof SummaryMarkerSchema>;

/** The marker an entry is, or `undefined` for any other entry (or a marker of another shape). */
export function summaryMarkerOf(entry: unknown): SummaryMarker | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  if ((entry as { type?: unknown }).type !== SUMMARY_MARKER_TYPE) return undefined;
  const parsed = SummaryMarkerSchema.safeParse(entry);
  return parsed.success ? (entry as SummaryMarker) : undefined;
}

export function isSummaryMarker(entry: { readonly type: string }): boolean {
  return entry.type === SUMMARY_MARKER_TYPE;
}
