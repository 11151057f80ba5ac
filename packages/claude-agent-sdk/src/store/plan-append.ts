import { foldSessionSummary, type SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { ValidationError } from '@contextlog/core';
import type { ClaudeEntry } from '../dialect/claude-entry.js';
import {
  isSummaryMarker,
  SUMMARY_MARKER_TYPE,
  type SummaryMarker,
  summaryMarkerOf,
} from '../dialect/summary-marker.js';
import { ReservedEntryTypeError } from '../errors.js';
import type { TranscriptKey } from '../key/session-key.js';

/** What an append must know of the transcript as stored: its entries, or none yet. */
export interface StoredTranscript {
  /** The session's messages (entries and markers), or `undefined` for a key never written. */
  readonly messages: readonly ClaudeEntry[] | undefined;
}

/**
 * The messages one `append` writes, in one `messages.appended` event: the entries whose `uuid`
 * the transcript does not hold yet (nor an earlier entry of the batch: the first wins; an entry
 * without a string `uuid` is always new), then the marker with the storage time and, for a main
 * transcript, the SDK's summary folded over those entries (`foldSessionSummary`). `undefined`
 * when nothing is to be written: a batch of entries all stored already, on an existing key (a
 * retry of a batch that landed changes nothing, its mtime included). A new key is written even
 * for an empty batch, as the SDK's own store creates it.
 */
export function planAppend(
  key: TranscriptKey,
  source: string,
  entries: readonly SessionStoreEntry[],
  stored: StoredTranscript,
  now: number,
): ClaudeEntry[] | undefined {
  if (!Array.isArray(entries)) {
    throw new ValidationError(`${source}: entries: expected an array`, 'entries');
  }
  const seen = new Set<string>();
  let last: SummaryMarker | undefined;
  for (const message of stored.messages ?? []) {
    const marker = isSummaryMarker(message) ? summaryMarkerOf(message) : undefined;
    if (marker !== undefined) last = marker;
    else if (typeof message.uuid === 'string') seen.add(message.uuid);
  }
  const fresh: ClaudeEntry[] = [];
  entries.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.type !== 'string') {
      throw new ValidationError(
        `${source}: entries[${index}]: expected an object with a string "type"`,
        `entries.${index}.type`,
      );
    }
    if (entry.type === SUMMARY_MARKER_TYPE) throw new ReservedEntryTypeError(index, source);
    if (typeof entry.uuid === 'string') {
      if (seen.has(entry.uuid)) return;
      seen.add(entry.uuid);
    }
    fresh.push(entry);
  });
  if (fresh.length === 0 && stored.messages !== undefined) return undefined;
  const mtime = Math.max(Math.floor(now), last === undefined ? 0 : last.mtime + 1);
  const marker: SummaryMarker = { type: SUMMARY_MARKER_TYPE, mtime };
  if (key.subpath === undefined) {
    const previous =
      last?.summary === undefined
        ? undefined
        : { sessionId: key.sessionId, mtime: last.mtime, data: last.summary };
    const folded = foldSessionSummary(previous, key, fresh as SessionStoreEntry[], { mtime });
    marker.summary = folded.data;
  }
  return [...fresh, marker];
}

/** The entries of a transcript's messages: the markers left out. */
export function entriesOf(messages: readonly ClaudeEntry[]): SessionStoreEntry[] {
  return messages.filter((message) => !isSummaryMarker(message)) as SessionStoreEntry[];
}

/** The last marker among a transcript's messages. */
export function lastMarkerOf(messages: readonly ClaudeEntry[]): SummaryMarker | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ClaudeEntry;
    if (isSummaryMarker(message)) return summaryMarkerOf(message);
  }
  return undefined;
}
