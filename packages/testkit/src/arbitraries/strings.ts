import fc from 'fast-check';

/**
 * Strings that break naive serializers: lone surrogates (which UTF-8 cannot encode), NUL and
 * other control characters, the JSON-in-JS line separators, a BOM, quotes and backslashes,
 * multi-unit emoji and CJK (whose code-point counts differ from their UTF-16 lengths).
 */
export const ODD_STRINGS: readonly string[] = Object.freeze([
  '',
  ' ',
  'hello',
  '"quoted" \'single\' `back`',
  'back\\slash \\n not a newline',
  'line\nbreak\r\nand\ttab',
  '\u0000\u0001\u0007\u001b\u007f',
  '\u2028\u2029',
  '\ufeffBOM',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\ude00b',
  '👩‍👩‍👧‍👦',
  '🇫🇷🏳️‍🌈',
  'e\u0301 combining',
  '漢字かなカナ한국어',
  '中文，标点。',
  '\uffff\ufffe',
  '<system>CHECKPOINT 0</system>',
  '{"role":"user"}',
  '\u{10ffff}\u{1f600}',
]);

/** Every odd character in one string: what `checkStore` round-trips. */
export const ALL_ODD_CHARACTERS: string = ODD_STRINGS.join('|');

const oddUnit = fc.constantFrom(
  'a',
  ' ',
  '"',
  "'",
  '\\',
  '\n',
  '\u0000',
  '\u001f',
  '\u2028',
  '\ud800',
  '\udc00',
  '😀',
  '👍🏽',
  '漢',
  'か',
  '\ufeff',
  '/',
);

/** Text for message contents: mostly short, regularly odd. */
export function arbText(maxLength = 24): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: oddUnit, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength }) },
  );
}

/** Identifiers, names and keys: short, sometimes odd, never empty. */
export function arbName(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('title', 'model', 'cwd', 'tool', 'a', 'id-1') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('漢字', '😀', 'a b', 'x"y', 'constructor', 'toString'),
    },
  );
}
