// The public API of @contextlog/claude-agent-sdk: a durable `SessionStore` for the Claude Agent
// SDK, each transcript a contextlog session of `claude-code` entries, in a directory or a
// PostgreSQL table. The dialect alone is in `./dialect`, its arbitraries in `./testing`.

export { claudeCodeDialect } from './dialect/claude-code-dialect.js';
export { type ClaudeEntry, ClaudeEntrySchema } from './dialect/claude-entry.js';
export { SUMMARY_MARKER_TYPE, type SummaryMarker } from './dialect/summary-marker.js';
export {
  ClaudeStoreClosedError,
  InvalidSessionKeyError,
  ReservedEntryTypeError,
} from './errors.js';
export { type KeyNames, keyNames, type TranscriptKey } from './key/session-key.js';
export { DEFAULT_TRANSCRIPT_TABLE, type TranscriptPgClient } from './store/pg-options.js';
export {
  type ClaudeSessionStore,
  type ClaudeSessionStoreOptions,
  createClaudeSessionStore,
  type DirClaudeStoreOptions,
  type PgClaudeStoreOptions,
} from './store/session-store.js';
