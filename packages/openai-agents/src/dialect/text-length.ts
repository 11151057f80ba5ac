import { codePointLength } from '@contextlog/core';
import type { AgentItem } from './agent-item.js';

/**
 * Code points of what a model reads back from an item: message text (a string content, or the
 * `text` of text parts, a refusal's `refusal`), a function call's `arguments` and its result's
 * output, other tools' textual outputs, and reasoning text (`content` and `rawContent`). Images,
 * files, `providerData`, ids and encrypted payloads count nothing: the estimate is a floor that
 * the next usage record corrects, as kimi-cli's is.
 */
export function agentItemTextLength(item: AgentItem): number {
  const fields = item as Record<string, unknown>;
  switch (item.type) {
    case undefined:
    case 'message':
      return contentLength(fields.content);
    case 'function_call':
    case 'hosted_tool_call':
      return stringLength(fields.arguments) + contentLength(fields.output);
    case 'function_call_result':
    case 'program_output':
    case 'apply_patch_call_output':
      return contentLength(fields.output);
    case 'shell_call_output':
      return shellOutputLength(fields.output);
    case 'reasoning':
      return contentLength(fields.content) + contentLength(fields.rawContent);
    default:
      return 0;
  }
}

function stringLength(value: unknown): number {
  return typeof value === 'string' ? codePointLength(value) : 0;
}

/** A string, one part or a list of parts; a part counts its `text` (or a refusal's `refusal`). */
function contentLength(content: unknown): number {
  if (typeof content === 'string') return codePointLength(content);
  if (Array.isArray(content)) {
    let length = 0;
    for (const part of content) length += partLength(part);
    return length;
  }
  return partLength(content);
}

function partLength(part: unknown): number {
  if (typeof part !== 'object' || part === null) return 0;
  const { text, refusal } = part as { text?: unknown; refusal?: unknown };
  return stringLength(text) + stringLength(refusal);
}

function shellOutputLength(output: unknown): number {
  if (!Array.isArray(output)) return 0;
  let length = 0;
  for (const entry of output) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { stdout, stderr } = entry as { stdout?: unknown; stderr?: unknown };
    length += stringLength(stdout) + stringLength(stderr);
  }
  return length;
}
