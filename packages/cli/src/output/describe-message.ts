import type { Message } from '@contextlog/core';

/** One line that says what a message holds: its text, then its other parts and tool calls. */
export function describeMessage(message: Message, width = 100): string {
  const pieces: string[] = [];
  const { content } = message;
  if (typeof content === 'string') pieces.push(content);
  else if (!Array.isArray(content)) {
    // A message of another dialect: its parts' text, else the message as JSON.
    const { parts } = message as { parts?: unknown };
    if (!Array.isArray(parts)) return clip(JSON.stringify(message), width);
    for (const part of parts as { type?: unknown; text?: unknown }[]) {
      pieces.push(typeof part.text === 'string' ? part.text : `[${String(part.type)}]`);
    }
  } else {
    for (const part of content) {
      if (part.type === 'text' && typeof part.text === 'string') pieces.push(part.text);
      else pieces.push(`[${part.type}]`);
    }
  }
  for (const call of message.tool_calls ?? []) {
    pieces.push(`[tool call ${call.function.name}(${call.function.arguments ?? 'null'})]`);
  }
  if (message.tool_call_id !== undefined) pieces.unshift(`(${message.tool_call_id})`);
  const text = pieces.join(' ').replace(/\s+/g, ' ').trim();
  return clip(text === '' ? '(empty)' : text, width);
}

/** A message's role; for a dialect without roles (items with a `type`), that type. */
export function roleOf(message: Message): string {
  const { role, type } = message as { role?: unknown; type?: unknown };
  if (typeof role === 'string') return role;
  return typeof type === 'string' ? type : '?';
}

export function clip(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
}

/** The first non-blank line of a text, clipped. */
export function firstLine(text: string, width = 100): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  const more = text.trim().includes('\n') ? ' …' : '';
  return clip(line.trim(), width - more.length) + more;
}
