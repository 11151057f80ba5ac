import { describe, expect, it } from 'vitest';
import { decodeKimiLine } from './decode-line.js';
import {
  encodeCheckpoint,
  encodeKimiMessage,
  encodeSystemPrompt,
  encodeUsage,
  UnknownPartTypeError,
} from './encode-line.js';

// Lines copied from the format reference (kimi-cli's own output).
const REFERENCE = {
  prompt: '{"role": "_system_prompt", "content": "You are Kimi Code CLI. \\u4f60\\u597d"}',
  assistant:
    '{"role":"assistant","content":[{"type":"think","think":"I should run ls","encrypted":"sig=="},{"type":"text","text":"Running ls."}],"tool_calls":[{"type":"function","id":"Shell:0","function":{"name":"Shell","arguments":"{\\"command\\": \\"ls\\"}"}}]}',
  tool: '{"role":"tool","content":[{"type":"text","text":"<system>Command executed successfully.</system>"},{"type":"text","text":"a.txt\\nb.txt\\n"}],"tool_call_id":"Shell:0"}',
};

function messageOf(line: string) {
  const decoded = decodeKimiLine(new TextEncoder().encode(line));
  if (decoded.kind !== 'record' || decoded.event.type !== 'messages.appended') {
    throw new Error(`not a message line: ${line}`);
  }
  const [message] = decoded.event.data.messages;
  if (message === undefined) throw new Error('no message');
  return message;
}

describe('internal records as json.dumps writes them', () => {
  it('matches the reference byte for byte', () => {
    expect(encodeSystemPrompt('You are Kimi Code CLI. 你好')).toBe(REFERENCE.prompt);
    expect(encodeCheckpoint(0)).toBe('{"role": "_checkpoint", "id": 0}');
    expect(encodeUsage(1234)).toBe('{"role": "_usage", "token_count": 1234}');
  });

  it('escapes as Python does: short escapes, lowercase \\u, astral characters as pairs', () => {
    expect(encodeSystemPrompt('a"b\\c\n\r\t\b\f\u0000\u001f\u007f é 🤖 \ud800')).toBe(
      '{"role": "_system_prompt", "content": "a\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f \\u00e9 \\ud83e\\udd16 \\ud800"}',
    );
  });
});

describe('messages as pydantic writes them', () => {
  it('reproduces the reference lines from their decoded messages', () => {
    expect(encodeKimiMessage(messageOf(REFERENCE.assistant))).toBe(REFERENCE.assistant);
    expect(encodeKimiMessage(messageOf(REFERENCE.tool))).toBe(REFERENCE.tool);
  });

  it('writes kosong field order, one text part as a bare string, raw UTF-8', () => {
    expect(
      encodeKimiMessage({
        partial: true,
        tool_call_id: 'x',
        content: [{ type: 'text', text: '你好 🤖' }],
        name: 'n',
        role: 'tool',
      }),
    ).toBe('{"role":"tool","name":"n","content":"你好 🤖","tool_call_id":"x","partial":true}');
  });

  it('adds the nulls pydantic writes inside parts and keeps extras after the known fields', () => {
    expect(
      encodeKimiMessage({
        role: 'user',
        content: [
          { type: 'think', think: 't' },
          { type: 'image_url', image_url: { url: 'u' } },
          { type: 'video_url', video_url: { id: 'v', url: 'w', extra: 1 } },
          { text: 'x', type: 'text', cache: true },
        ],
        x_meta: { a: [1] },
      }),
    ).toBe(
      '{"role":"user","content":[{"type":"think","think":"t","encrypted":null},{"type":"image_url","image_url":{"url":"u","id":null}},{"type":"video_url","video_url":{"url":"w","id":"v","extra":1}},{"type":"text","text":"x","cache":true}],"x_meta":{"a":[1]}}',
    );
  });

  it('keeps a single text part with extras as a list, and [] as []', () => {
    expect(encodeKimiMessage({ role: 'user', content: [{ type: 'text', text: 'x', k: 1 }] })).toBe(
      '{"role":"user","content":[{"type":"text","text":"x","k":1}]}',
    );
    expect(encodeKimiMessage({ role: 'assistant', content: [] })).toBe(
      '{"role":"assistant","content":[]}',
    );
  });

  it('writes a null tool call argument explicitly, so kimi-cli can read the message back', () => {
    expect(
      encodeKimiMessage({
        role: 'assistant',
        content: [],
        tool_calls: [
          { type: 'function', id: 'a', function: { name: 'f', arguments: null }, extras: { k: 1 } },
        ],
      }),
    ).toBe(
      '{"role":"assistant","content":[],"tool_calls":[{"type":"function","id":"a","function":{"name":"f","arguments":null},"extras":{"k":1}}]}',
    );
  });

  it('escapes a lone surrogate, so the line stays valid UTF-8 and reads back the same', () => {
    const line = encodeKimiMessage({ role: 'user', content: 'a\ud800b' });
    expect(line).toBe('{"role":"user","content":"a\\ud800b"}');
    expect(messageOf(line).content).toBe('a\ud800b');
  });

  it('writes a __proto__ extra field as a field', () => {
    const message = messageOf('{"role":"user","content":"x","__proto__":{"a":1}}');
    expect(encodeKimiMessage(message)).toBe('{"role":"user","content":"x","__proto__":{"a":1}}');
  });

  it('refuses a part type kimi-cli cannot read', () => {
    expect(() => encodeKimiMessage({ role: 'user', content: [{ type: 'hologram' }] })).toThrow(
      UnknownPartTypeError,
    );
  });
});
