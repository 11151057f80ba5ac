// @contextlog/claude-agent-sdk/testing: fast-check arbitraries of Claude Code transcript entries,
// for property tests of anything that stores them. fast-check is a peer dependency of this entry only.

export {
  type ArbClaudeEntryOptions,
  arbClaudeEntries,
  arbClaudeEntry,
} from './entry-arbitrary.js';
