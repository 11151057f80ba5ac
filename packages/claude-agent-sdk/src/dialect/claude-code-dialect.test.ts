import { codePointLength } from '@contextlog/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbClaudeEntry } from '../testing/index.js';
import { claudeCodeDialect } from './claude-code-dialect.js';
import { ClaudeEntrySchema } from './claude-entry.js';
import { SUMMARY_MARKER_TYPE, summaryMarkerOf } from './summary-marker.js';

describe('claudeCodeDialect', () => {
  it('is the claude-code dialect, version 1, without a checkpoint message', () => {
    expect(claudeCodeDialect.name).toBe('claude-code');
    expect(claudeCodeDialect.version).toBe(1);
    expect(claudeCodeDialect.checkpointMessage).toBeUndefined();
    expect(Object.isFrozen(claudeCodeDialect)).toBe(true);
  });

  it('counts the code points of string content and text blocks only', () => {
    const length = (entry: Record<string, unknown>) =>
      claudeCodeDialect.textLength({ type: 'user', ...entry });
    expect(length({ message: { role: 'user', content: 'héllo 👋' } })).toBe(7);
    expect(
      length({
        message: {
          role: 'assistant',
          content: [
            { type: 'text', text: '漢字' },
            { type: 'thinking', thinking: 'not counted' },
            { type: 'tool_use', id: 't', name: 'Bash', input: { command: 'not counted' } },
            { type: 'tool_result', tool_use_id: 't', content: 'not counted' },
            { type: 'text', text: 42 },
            'text',
            null,
          ],
        },
      }),
    ).toBe(2);
    expect(length({ summary: 'not counted' })).toBe(0);
    expect(length({ message: 'not an object' })).toBe(0);
    expect(length({ message: { content: { text: 'not a list' } } })).toBe(0);
  });

  test.prop([arbClaudeEntry()])('accepts every generated entry, as the value itself', (entry) => {
    const text = JSON.stringify(entry);
    const parsed = ClaudeEntrySchema.parse(JSON.parse(text));
    expect(JSON.stringify(parsed)).toBe(text);
    const content = (entry.message as { content?: unknown } | undefined)?.content;
    const expected =
      typeof content === 'string'
        ? codePointLength(content)
        : Array.isArray(content)
          ? content
              .filter((block) => block.type === 'text')
              .reduce((sum, block) => sum + codePointLength(block.text), 0)
          : 0;
    expect(claudeCodeDialect.textLength(entry)).toBe(expected);
  });

  it('keeps an own "__proto__" key', () => {
    const text = '{"type":"user","__proto__":{"a":1},"uuid":"u"}';
    expect(JSON.stringify(ClaudeEntrySchema.parse(JSON.parse(text)))).toBe(text);
  });

  it.each([null, 'user', [], { uuid: 'u' }, { type: 1 }])('refuses %j', (value) => {
    expect(ClaudeEntrySchema.safeParse(value).success).toBe(false);
  });

  it('tells its summary markers from entries', () => {
    expect(summaryMarkerOf({ type: SUMMARY_MARKER_TYPE, mtime: 5, summary: {} })).toEqual({
      type: SUMMARY_MARKER_TYPE,
      mtime: 5,
      summary: {},
    });
    expect(summaryMarkerOf({ type: SUMMARY_MARKER_TYPE, mtime: -1 })).toBeUndefined();
    expect(summaryMarkerOf({ type: 'user', mtime: 5 })).toBeUndefined();
  });

  test.prop([fc.string()])('never counts less than zero', (content) => {
    expect(
      claudeCodeDialect.textLength({ type: 'user', message: { role: 'user', content } }),
    ).toBeGreaterThanOrEqual(0);
  });
});
