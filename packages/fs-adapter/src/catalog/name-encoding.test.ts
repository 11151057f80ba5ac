import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeName, encodeName, MAX_ENCODED_NAME_LENGTH } from './name-encoding.js';

// The encoding's cases are tested through its first user, @contextlog/ai-sdk's chat-id tests;
// these check what other users (the Claude session store) rely on besides.
describe('encodeName', () => {
  it('says why an id has no name instead of throwing', () => {
    expect(encodeName('')).toEqual({ refused: 'it is empty' });
    expect(encodeName('\ud800')).toMatchObject({ refused: expect.stringMatching(/surrogate/) });
    expect(encodeName('A'.repeat(101))).toMatchObject({ refused: expect.stringMatching(/200/) });
    expect(encodeName('subagents/agent-1')).toEqual({ name: 'subagents~2fagent-1' });
  });

  test.prop([fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })])(
    'gives back every id it names, in a name without "__" or a leading "."',
    (id) => {
      const encoding = encodeName(id);
      if (!('name' in encoding)) return;
      expect(encoding.name.length).toBeLessThanOrEqual(MAX_ENCODED_NAME_LENGTH);
      expect(encoding.name).not.toMatch(/__|^\./);
      expect(decodeName(encoding.name)).toBe(id);
    },
  );
});
