// @contextlog/claude-agent-sdk/dialect: the `claude-code` dialect alone. Its import graph holds
// only @contextlog/core and zod (no SDK), so tools such as the contextlog CLI can load it to read
// sessions of this dialect.

export { claudeCodeDialect } from './claude-code-dialect.js';
export { type ClaudeEntry, ClaudeEntrySchema } from './claude-entry.js';
export {
  isSummaryMarker,
  SUMMARY_MARKER_TYPE,
  type SummaryMarker,
  summaryMarkerOf,
} from './summary-marker.js';
