import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  chatFileName,
  chatIdOfFileName,
  decodeChatId,
  encodeChatId,
  MAX_ENCODED_CHAT_ID_LENGTH,
} from './chat-id.js';
import { InvalidChatIdError } from './errors.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

const wellFormed = (text: string) => !/\p{Surrogate}/u.test(text);

/** Chat ids of every kind: typical ones, path-like ones, any Unicode, odd cases. */
const arbChatId = fc
  .oneof(
    fc.string({
      unit: fc.constantFrom('a', 'A', 'z', 'Z', '0', '-', '_', '~', '.', '/'),
      minLength: 1,
    }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.uuid(),
    fc.constantFrom(
      '..',
      '.',
      '/',
      '../etc/passwd',
      'con',
      'CON',
      'nul',
      'com1',
      'lpt9',
      '\ufeffa',
    ),
  )
  .filter(wellFormed);

const fits = (chatId: string) => {
  try {
    encodeChatId(chatId);
    return true;
  } catch {
    return false;
  }
};

describe('chat ids as file names', () => {
  test.prop([arbChatId], { numRuns: RUNS })('decode gives back every encoded id', (chatId) => {
    fc.pre(fits(chatId));
    const encoded = encodeChatId(chatId);
    expect(decodeChatId(encoded)).toBe(chatId);
    expect(chatIdOfFileName(chatFileName(chatId))).toBe(chatId);
  });

  test.prop([arbChatId], { numRuns: RUNS })(
    'names are short lowercase ASCII a file system cannot confuse',
    (chatId) => {
      fc.pre(fits(chatId));
      const encoded = encodeChatId(chatId);
      expect(encoded).toMatch(/^[a-z0-9_~-]+$/);
      expect(encoded.length).toBeLessThanOrEqual(MAX_ENCODED_CHAT_ID_LENGTH);
      expect(encoded).not.toMatch(/^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/);
    },
  );

  test.prop([arbChatId, arbChatId], { numRuns: RUNS })(
    'two ids share a name only if they are one id, case-insensitively too',
    (a, b) => {
      fc.pre(fits(a) && fits(b));
      expect(encodeChatId(a).toLowerCase() === encodeChatId(b).toLowerCase()).toBe(a === b);
    },
  );

  test.prop(
    [
      fc.string({
        unit: fc.constantFrom('a', 'A', '_', '~', '0', 'f', 'g', '-', 'é', '.'),
        maxLength: 12,
      }),
    ],
    {
      numRuns: RUNS,
    },
  )('a name decodes only if it is the encoding of what it decodes to', (name) => {
    const chatId = decodeChatId(name);
    if (chatId !== undefined) expect(encodeChatId(chatId)).toBe(name);
  });

  it.each([
    ['chat-1', 'chat-1'],
    ['userA', 'user_a'],
    ['a_b', 'a~5fb'],
    ['..', '~2e~2e'],
    ['a/b', 'a~2fb'],
    ['é', '~c3~a9'],
    ['😀', '~f0~9f~98~80'],
    ['con', 'co~6e'],
    ['Con', '_con'],
    ['com1', 'com~31'],
    ['\ufeff', '~ef~bb~bf'],
  ])('%j is %s', (chatId, encoded) => {
    expect(encodeChatId(chatId)).toBe(encoded);
    expect(decodeChatId(encoded)).toBe(chatId);
  });

  it.each([
    '',
    '~61', // `a`, which is its own name
    '~4a', // `J`, whose name is `_j`
    '~C3~A9', // uppercase hex
    '~c3', // half of a UTF-8 sequence
    '~ed~a0~80', // a surrogate written as UTF-8
    'con', // a device name, whose chat's name is `co~6e`
    'A',
    '_',
    '_1',
    '~',
    '~6',
    '.hidden',
    'x'.repeat(MAX_ENCODED_CHAT_ID_LENGTH + 1),
  ])('%j is no chat name', (name) => {
    expect(decodeChatId(name)).toBeUndefined();
  });

  it('finds chats among other files by their extension', () => {
    expect(chatIdOfFileName('user_a.jsonl')).toBe('userA');
    expect(chatIdOfFileName('user_a.jsonl.lock')).toBeUndefined();
    expect(chatIdOfFileName('.user_a.jsonl.123@host.-.abcdefabcdef.tmp')).toBeUndefined();
    expect(chatIdOfFileName('user_a.json')).toBeUndefined();
    expect(chatIdOfFileName('.jsonl')).toBeUndefined();
  });

  it('takes an id up to the length policy, and refuses a longer one', () => {
    const longest = 'a'.repeat(MAX_ENCODED_CHAT_ID_LENGTH);
    expect(encodeChatId(longest)).toBe(longest);
    expect(() => encodeChatId(`${longest}a`)).toThrow(InvalidChatIdError);
    expect(encodeChatId('😀'.repeat(16))).toHaveLength(192);
    expect(() => encodeChatId('😀'.repeat(17))).toThrow(/longer than 200 characters/);
    expect(() => encodeChatId('A'.repeat(101))).toThrow(InvalidChatIdError);
    expect(() => encodeChatId('x'.repeat(10_000_000))).toThrow(InvalidChatIdError);
  });

  it.each([
    ['', /is empty/],
    ['a\ud800', /lone surrogate/],
    ['\udc00a', /lone surrogate/],
  ])('refuses %j with a typed error', (chatId, reason) => {
    expect(() => encodeChatId(chatId)).toThrow(InvalidChatIdError);
    expect(() => encodeChatId(chatId)).toThrow(reason);
    expect(() => chatFileName(chatId)).toThrow(
      expect.objectContaining({ code: 'INVALID_CHAT_ID' }),
    );
  });
});
