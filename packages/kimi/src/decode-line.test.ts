import { describe, expect, it } from 'vitest';
import { decodeKimiLine } from './decode-line.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const decode = (text: string) => decodeKimiLine(utf8(text));

function recordOf(text: string) {
  const line = decode(text);
  if (line.kind !== 'record') throw new Error(`expected a record, got ${JSON.stringify(line)}`);
  return line;
}

function reasonOf(text: string | Uint8Array): string {
  const line = typeof text === 'string' ? decode(text) : decodeKimiLine(text);
  if (line.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(line)}`);
  return line.reason;
}

describe('decodeKimiLine: internal records', () => {
  it('reads json.dumps spacing with \\u escapes and compact spacing alike', () => {
    expect(
      recordOf(
        '{"role": "_system_prompt", "content": "You are Kimi. \\u4f60\\u597d \\ud83d\\ude00"}',
      ).event,
    ).toEqual({
      type: 'system_prompt.set',
      v: 1,
      data: { prompt: 'You are Kimi. 你好 😀' },
    });
    expect(recordOf('{"role":"_checkpoint","id":3}').event).toEqual({
      type: 'checkpoint.created',
      v: 1,
      data: { id: 3, addUserMessage: false },
    });
    expect(recordOf('  {"role" :"_usage" ,  "token_count":\t1234}  ').event).toEqual({
      type: 'usage.recorded',
      v: 1,
      data: { tokenCount: 1234 },
    });
  });

  it('rejects wrong field types, naming the field', () => {
    expect(reasonOf('{"role": "_usage", "token_count": "12"}')).toMatch(/^token_count:/);
    expect(reasonOf('{"role": "_usage"}')).toMatch(/^token_count:/);
    expect(reasonOf('{"role": "_checkpoint", "id": 1.5}')).toMatch(/^id:/);
    expect(reasonOf('{"role": "_system_prompt", "content": null}')).toMatch(/^content:/);
    expect(reasonOf('{"role": "_system_prompt"}')).toMatch(/^content:/);
  });
});

describe('decodeKimiLine: the ints of internal records, as kimi-cli reads them', () => {
  const usage = (count: string) => recordOf(`{"role": "_usage", "token_count": ${count}}`);
  const checkpoint = (id: string) => recordOf(`{"role": "_checkpoint", "id": ${id}}`);

  it('skips a float, 1.0 and 1e3 included (isinstance(x, int) is false), as kimi-cli does', () => {
    for (const float of ['1.0', '12.5', '1e3', '1E3', '-0.0', '0e0']) {
      expect(reasonOf(`{"role": "_usage", "token_count": ${float}}`)).toMatch(
        /^token_count: expected an integer in a _usage record, not a float/,
      );
      expect(reasonOf(`{"role": "_checkpoint", "id": ${float}}`)).toMatch(/^id: .*not a float/);
    }
    // The last of a duplicated key is the one read, by json.loads as by JSON.parse.
    expect(reasonOf('{"role": "_usage", "token_count": 5, "token_count": 5.0}')).toMatch(/float/);
    expect(usage('5.0, "token_count": 5').event).toMatchObject({ data: { tokenCount: 5 } });
  });

  it('reads a negative count as 0, one past 2^53 - 1 as 2^53 - 1, a bool as 1 or 0, with a warning', () => {
    const cases: [string, number, RegExp][] = [
      ['-5', 0, /^token_count: -5 read as 0 .*kimi-cli keeps -5/],
      [
        '9007199254740992',
        Number.MAX_SAFE_INTEGER,
        /^token_count: 9007199254740992 read as 9007199254740991/,
      ],
      ['18446744073709551616', Number.MAX_SAFE_INTEGER, /kimi-cli keeps 18446744073709551616\)$/],
      ['true', 1, /^token_count: true read as 1, as kimi-cli reads a bool/],
      ['false', 0, /^token_count: false read as 0/],
    ];
    for (const [written, stored, warning] of cases) {
      const line = usage(written);
      expect(line.event).toEqual({ type: 'usage.recorded', v: 1, data: { tokenCount: stored } });
      expect(line.warnings).toHaveLength(1);
      expect(line.warnings[0]).toMatch(warning);
    }
    for (const quiet of ['0', '-0', '9007199254740991']) expect(usage(quiet).warnings).toEqual([]);
    // toEqual tells -0 from 0 (Object.is): the int -0 is stored as 0.
    expect(usage('-0').event).toEqual({ type: 'usage.recorded', v: 1, data: { tokenCount: 0 } });
  });

  it('reads a bool checkpoint id as 1 or 0; refuses an id it cannot hold, which kimi-cli reads', () => {
    expect(checkpoint('true').event).toMatchObject({ data: { id: 1 } });
    expect(checkpoint('true').warnings).toEqual(['id: true read as 1, as kimi-cli reads a bool']);
    expect(checkpoint('false').event).toMatchObject({ data: { id: 0 } });
    for (const id of ['-1', '9007199254740992']) {
      expect(decode(`{"role": "_checkpoint", "id": ${id}}`)).toMatchObject({
        kind: 'refused',
        reason: expect.stringMatching(new RegExp(`^id: ${id} is a checkpoint id kimi-cli reads`)),
      });
    }
  });
});

describe('decodeKimiLine: numbers of a message', () => {
  const refusalOf = (text: string) => {
    const line = decode(text);
    if (line.kind !== 'refused') throw new Error(`expected refused, got ${JSON.stringify(line)}`);
    return line.reason;
  };
  const withExtras = (value: string) =>
    `{"role":"assistant","content":"x","tool_calls":[{"type":"function","id":"a","function":{"name":"f","arguments":"{}"},"extras":{"n":${value}}}]}`;

  it('refuses one JavaScript would write back as another value or type, naming the field', () => {
    const cases: [string, string][] = [
      ['1.0', '1'],
      ['-0.0', '0'],
      ['1e20', '100000000000000000000'],
      ['2E1', '20'],
      ['1e-400', '0'],
      ['1e400', 'null'],
      ['18446744073709551616', '18446744073709552000'],
      ['9007199254740993', '9007199254740992'],
      ['100000000000000000000000', '1e+23'],
    ];
    for (const [written, back] of cases) {
      expect(refusalOf(withExtras(written))).toBe(
        `tool_calls[0].extras.n: the number ${written} cannot be kept as written: contextlog would hold and write it as ${back}, which kimi-cli reads as another value or type`,
      );
    }
    // Wherever it is: deep in extras, in a part's or the message's extra field.
    expect(refusalOf(withExtras('{"a":[true,{"b":[0, 2.0]}]}'))).toMatch(
      /^tool_calls\[0\]\.extras\.n\.a\[1\]\.b\[1\]: the number 2\.0 /,
    );
    expect(
      refusalOf('{"role":"user","content":[{"type":"text","text":"x","w":3.0}],"n":1}'),
    ).toMatch(/^content\[0\]\.w: the number 3\.0 /);
    expect(refusalOf('{"role":"user","content":"x","n":{"k\\u00e9\\"":1.0}}')).toMatch(
      /^n\.k\u00e9": the number 1\.0 /,
    );
  });

  it('keeps one that reads back the same: ints, floats with a fraction or an exponent past 1e21', () => {
    for (const written of [
      '0',
      '-0',
      '7',
      '-12',
      '1.5',
      '0.1',
      '1.50',
      '-2.5e-7',
      '1e21',
      '1E300',
      '9007199254740992',
      '18446744073709552000',
    ]) {
      const line = decode(withExtras(written));
      expect(line.kind, written).toBe('record');
    }
    // Strings, keys and partial (read as a bool) hold no number to keep.
    const strings = recordOf(
      '{"role":"user","content":"1.0, \\"2.0\\"","name":"3.0","partial":1,"x":{"4.0":"5.0"}}',
    );
    expect(strings.event).toMatchObject({ data: { messages: [{ partial: true }] } });
  });

  it('refuses in a line json.loads reads and JSON.parse does not (NaN, raw control characters)', () => {
    expect(refusalOf('{"role":"user","content":"a\tb","x":[NaN, -Infinity, 1.0]}')).toMatch(
      /^x\[2\]: the number 1\.0 /,
    );
  });
});

describe('decodeKimiLine: lines kimi-cli skips', () => {
  it('names why', () => {
    expect(reasonOf('{"role":"user","content":"x"')).toMatch(/^not JSON/);
    expect(reasonOf('[1,2]')).toMatch(/not a JSON object \(an array\)/);
    expect(reasonOf('"text"')).toMatch(/not a JSON object \(string\)/);
    expect(reasonOf('null')).toMatch(/not a JSON object \(null\)/);
    expect(reasonOf('{"content":"x"}')).toBe('role: required');
    expect(reasonOf('{"role":5,"content":"x"}')).toBe('role: expected a string');
    expect(reasonOf('{"role":"robot","content":"x"}')).toMatch(/^role:/);
    expect(reasonOf('{"role":"user"}')).toBe('content: required');
    expect(reasonOf('{"role":"user","content":5}')).toMatch(/^content/);
    expect(reasonOf('{"role":"user","content":[{"text":"x"}]}')).toBe('content[0].type: required');
    expect(reasonOf('{"role":"user","content":[{"type":1}]}')).toBe(
      'content[0].type: expected a string',
    );
    expect(reasonOf('{"role":"user","content":["x"]}')).toMatch(
      /^content\[0\]: expected an object/,
    );
    expect(reasonOf('{"role":"user","content":[{"type":"text","text":5}]}')).toMatch(
      /^content\[0\]\.text/,
    );
    expect(reasonOf('{"role":"user","content":"x","name":5}')).toMatch(/^name/);
    expect(reasonOf('{"role":"user","content":"x","partial":"maybe"}')).toMatch(/^partial/);
    expect(
      reasonOf(
        '{"role":"assistant","content":"x","tool_calls":[{"id":"a","function":{"name":1,"arguments":"{}"}}]}',
      ),
    ).toMatch(/^tool_calls\[0\]\.function\.name/);
    expect(
      reasonOf(
        '{"role":"assistant","content":"x","tool_calls":[{"type":"fn","id":"a","function":{"name":"n","arguments":"{}"}}]}',
      ),
    ).toBe('tool_calls[0].type: expected "function"');
  });

  it('keeps a BOM, which json.loads rejects', () => {
    expect(reasonOf('\ufeff{"role":"user","content":"x"}')).toMatch(/^not JSON/);
  });
});

describe('decodeKimiLine: what json.loads(strict=False) accepts', () => {
  it('accepts raw control characters inside strings only', () => {
    const line = recordOf('{"role":"user","content":"a\tb\u0000c\u001fd\\"\u0001"}');
    expect(line.event).toMatchObject({
      data: { messages: [{ content: 'a\tb\u0000c\u001fd"\u0001' }] },
    });
    expect(reasonOf('{"role":"user",\u0001"content":"x"}')).toMatch(/^not JSON/);
  });

  it('reads NaN and Infinity as null, with a warning', () => {
    const line = recordOf('{"role":"user","content":"x","extra":NaN,"more":[-Infinity, "NaN"]}');
    expect(line.event).toMatchObject({
      data: { messages: [{ extra: null, more: [null, 'NaN'] }] },
    });
    expect(line.warnings).toHaveLength(2);
    expect(reasonOf('{"role": "_usage", "token_count": Infinity}')).toMatch(/^token_count/);
  });

  it('decodes invalid UTF-8 with U+FFFD and a warning', () => {
    const bytes = utf8('{"role":"user","content":"a?b"}');
    bytes[bytes.indexOf(0x3f)] = 0xff;
    const line = decodeKimiLine(bytes);
    expect(line).toMatchObject({
      kind: 'record',
      event: { data: { messages: [{ content: 'a\ufffdb' }] } },
    });
    expect(line.kind === 'record' && line.warnings[0]).toMatch(/U\+FFFD/);
  });

  it('treats Python whitespace as blank and a trailing CR as the line break', () => {
    expect(decode('')).toEqual({ kind: 'blank' });
    expect(decode(' \t\u000b\u001c\u00a0\u3000')).toEqual({ kind: 'blank' });
    expect(recordOf('{"role": "_checkpoint", "id": 0}\r').event.type).toBe('checkpoint.created');
    expect(reasonOf('{"role":"user","content":"a\rb"}')).toMatch(/carriage return/);
  });
});

describe('decodeKimiLine: messages, normalized as pydantic reads them', () => {
  it('reads content null as no parts, drops top-level nulls, defaults the tool call type', () => {
    const line = recordOf(
      '{"role":"assistant","content":null,"name":null,"tool_call_id":null,"partial":null,"tool_calls":[{"id":"Shell:0","function":{"name":"Shell","arguments":"{}"},"extras":null}]}',
    );
    expect(line.event).toEqual({
      type: 'messages.appended',
      v: 1,
      data: {
        messages: [
          {
            role: 'assistant',
            content: [],
            tool_calls: [
              { type: 'function', id: 'Shell:0', function: { name: 'Shell', arguments: '{}' } },
            ],
          },
        ],
      },
    });
    expect(line.warnings).toEqual([]);
  });

  it('keeps nulls inside parts and extra fields', () => {
    const text =
      '{"role":"user","content":[{"type":"think","think":"t","encrypted":null},{"type":"image_url","image_url":{"url":"u","id":null}},{"type":"text","text":"x","cache":true}],"x_extra":{"a":1}}';
    expect(recordOf(text).event).toMatchObject({ data: { messages: [JSON.parse(text)] } });
  });

  it('keeps a tool call without arguments (kimi-cli loses the message) with a warning', () => {
    const line = recordOf(
      '{"role":"assistant","content":"","tool_calls":[{"type":"function","id":"a","function":{"name":"n"}}]}',
    );
    expect(line.event).toMatchObject({
      data: { messages: [{ tool_calls: [{ function: { name: 'n', arguments: null } }] }] },
    });
    expect(line.warnings.join()).toMatch(/tool_calls\[0\]\.function\.arguments is missing/);
    const explicit = recordOf(
      '{"role":"assistant","content":"","tool_calls":[{"type":"function","id":"a","function":{"name":"n","arguments":null}}]}',
    );
    expect(explicit.warnings.join()).toMatch(/arguments is null/);
  });

  it('keeps a part of unknown type verbatim with a warning', () => {
    const line = recordOf('{"role":"user","content":[{"type":"hologram","data":{"x":[1]}}]}');
    expect(line.event).toMatchObject({
      data: { messages: [{ content: [{ type: 'hologram', data: { x: [1] } }] }] },
    });
    expect(line.warnings.join()).toMatch(/content\[0\]: part type "hologram"/);
  });

  it('coerces partial as pydantic does, with a warning', () => {
    const line = recordOf('{"role":"assistant","content":"x","partial":"yes"}');
    expect(line.event).toMatchObject({ data: { messages: [{ partial: true }] } });
    expect(line.warnings).toHaveLength(1);
  });
});
