import { describe, expect, it } from 'vitest';
import { codePointLength, type Message, MessageSchema, textLength } from './message.js';

describe('codePointLength', () => {
  it('counts code points as Python len does, not UTF-16 units', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('你好世界')).toBe(4);
    expect(codePointLength('😀')).toBe(1);
    expect('😀'.length).toBe(2);
    expect(codePointLength('a😀b👍🏽')).toBe(5);
  });

  it('counts a lone surrogate as one code point', () => {
    expect(codePointLength('\uD800')).toBe(1);
    expect(codePointLength('x\uDC00y\uD83D')).toBe(4);
  });
});

describe('textLength', () => {
  it('counts a bare string content as one text part', () => {
    expect(textLength({ role: 'user', content: '你好 😀' })).toBe(4);
  });

  it('counts only text parts: think, media and unknown parts are no text', () => {
    const message: Message = {
      role: 'assistant',
      content: [
        { type: 'think', think: 'long thoughts here', encrypted: null },
        { type: 'text', text: 'ab' },
        { type: 'image_url', image_url: { url: 'https://x/y.png', id: null } },
        { type: 'hologram', text: 'not counted' },
        { type: 'text', text: '🎉🎉' },
      ],
    };
    expect(textLength(message)).toBe(4);
  });
});

describe('MessageSchema', () => {
  it('keeps a part of unknown type verbatim', () => {
    const part = { type: 'hologram', payload: { depth: 3 }, text: 42 };
    const parsed = MessageSchema.parse({ role: 'user', content: [part] });
    expect(parsed.content).toEqual([part]);
  });

  it('rejects a known part type with a wrong shape', () => {
    expect(
      MessageSchema.safeParse({ role: 'user', content: [{ type: 'text', text: 3 }] }).success,
    ).toBe(false);
  });

  it('keeps tool calls with null arguments and extras', () => {
    const message = {
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          type: 'function',
          id: 'Shell:0',
          function: { name: 'Shell', arguments: null },
          extras: { a: 1 },
        },
      ],
    };
    expect(MessageSchema.parse(message)).toEqual(message);
  });

  it('keeps fields a newer writer adds', () => {
    const message = { role: 'user', content: 'x', reasoning_effort: 'high' };
    expect(MessageSchema.parse(message)).toEqual(message);
  });
});
