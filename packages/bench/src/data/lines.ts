import type { Message } from '@contextlog/core';

/** The line the file store writes for a one-message `messages.appended`: what baselines write. */
export function storedLine(seq: number, message: Message, at: string): string {
  const event = { seq, type: 'messages.appended', v: 1, at, data: { messages: [message] } };
  return `${JSON.stringify(event)}\n`;
}

/** The lines of `count` one-message appends, cycling through `pool`. */
export function storedLines(count: number, pool: readonly Message[]): string[] {
  const at = new Date().toISOString();
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(storedLine(i + 1, pool[i % pool.length] as Message, at));
  return lines;
}
