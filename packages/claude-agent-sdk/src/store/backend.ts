import type { ClaudeEntry } from '../dialect/claude-entry.js';
import type { SummaryMarker } from '../dialect/summary-marker.js';
import type { KeyNames, TranscriptKey } from '../key/session-key.js';

/** A main transcript as a listing finds it: its session id and last marker. */
export interface ListedSession {
  readonly sessionId: string;
  /** Undefined for a session whose writer died before its first batch (mtime 0, no summary). */
  readonly marker: SummaryMarker | undefined;
}

/** Where transcripts live: a directory of session files, or a PostgreSQL table. */
export interface TranscriptBackend {
  /**
   * Writes what `plan` gives for the transcript as stored (nothing when it gives `undefined`),
   * serialized with every other writer of the key, in this process or another.
   */
  append(
    key: TranscriptKey,
    names: KeyNames,
    plan: (messages: readonly ClaudeEntry[] | undefined) => ClaudeEntry[] | undefined,
  ): Promise<void>;
  /** The transcript's messages (markers included), or `undefined` for a key never written. */
  messages(names: KeyNames): Promise<ClaudeEntry[] | undefined>;
  /** The main transcripts of a project, each with its last marker, without replaying them. */
  listSessions(project: string): Promise<ListedSession[]>;
  /** The subpaths under a session (decoded). */
  listSubkeys(project: string, session: string): Promise<string[]>;
  /** Deletes the transcript; for a main one, its subagent transcripts too. */
  delete(names: KeyNames): Promise<void>;
  close(): Promise<void>;
}
