import { codePointLength, type Dialect, defineDialect } from '@contextlog/core';
import { type ClaudeEntry, ClaudeEntrySchema } from './claude-entry.js';

/**
 * Code points of the prose an entry puts in front of the model: its `message.content` when that
 * is a string, else the `text` of its `{ type: 'text' }` blocks (user and assistant entries carry
 * the Messages API message there). Thinking, tool calls and tool results, and every entry without
 * a `message` (titles, tags, summaries, mode markers) count nothing, as the other dialects count
 * neither tool arguments nor outputs: the estimate is a floor the next usage record corrects.
 */
function claudeEntryTextLength(entry: ClaudeEntry): number {
  const message = entry.message;
  if (typeof message !== 'object' || message === null) return 0;
  const content = (message as { content?: unknown }).content;
  if (typeof content === 'string') return codePointLength(content);
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const block of content) {
    if (typeof block !== 'object' || block === null) continue;
    const { type, text } = block as { type?: unknown; text?: unknown };
    if (type === 'text' && typeof text === 'string') length += codePointLength(text);
  }
  return length;
}

/**
 * The `claude-code` dialect (v1): sessions whose messages are Claude Code transcript entries,
 * opaque JSON objects with a string `type`. No `checkpointMessage`: an entry the CLI did not
 * write has no place in its transcript, so `checkpoint({ addUserMessage: true })` is refused.
 */
export const claudeCodeDialect: Dialect<ClaudeEntry> = defineDialect<ClaudeEntry>({
  name: 'claude-code',
  version: 1,
  schema: ClaudeEntrySchema,
  textLength: claudeEntryTextLength,
});
