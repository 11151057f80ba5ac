import type { Message } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import { describe, expect, it } from 'vitest';
import { checkedLine, type LiveMessages } from './checked-line.js';

const user = (content: string): Message => ({ role: 'user', content });

describe('checkedLine against the live history', () => {
  it('folds the live message itself when the line gives it back, and refuses one that does not', () => {
    const expected = user('héllo');
    const live: LiveMessages = { messages: [expected, user('two')], next: 0 };
    const restored = createFold();
    // kimi-cli's spelling of the same message: content as a list of parts.
    checkedLine(
      's.jsonl',
      JSON.stringify({ role: 'user', content: [{ type: 'text', text: 'héllo' }] }),
      restored,
      live,
    );
    expect(restored.state.messages[0]).toBe(expected);
    expect(() => checkedLine('s.jsonl', JSON.stringify(user('TWO')), restored, live)).toThrow(
      /kimi-cli would not restore the same state \(message 1: .*"two".* became .*"TWO"/,
    );
    expect(() =>
      checkedLine('s.jsonl', JSON.stringify(user('three')), restored, { ...live, next: 2 }),
    ).toThrow(/message 2: a message line past the live history/);
  });
});
