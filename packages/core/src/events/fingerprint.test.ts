import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { canonicalJson, operationFingerprint } from './fingerprint.js';
import { sha256Hex } from './sha256.js';

describe('sha256Hex', () => {
  it('is SHA-256 of the UTF-8 bytes (the FIPS 180-4 test vectors)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 300 })], { numRuns: 300 })(
    "equals node:crypto's digest of the same UTF-8 bytes, at every length across block edges",
    (text) => {
      const bytes = Buffer.from(new TextEncoder().encode(text));
      expect(sha256Hex(text)).toBe(createHash('sha256').update(bytes).digest('hex'));
    },
  );
});

describe('operationFingerprint', () => {
  const shuffle = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shuffle);
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).reverse();
      return Object.fromEntries(entries.map(([key, item]) => [key, shuffle(item)]));
    }
    return value;
  };

  test.prop([fc.jsonValue()], { numRuns: 200 })('ignores key order', (data) => {
    const command = { type: 'metadata.set' as const, data: { key: 'k', value: data } };
    const shuffled = { type: 'metadata.set' as const, data: shuffle(command.data) };
    expect(operationFingerprint(shuffled)).toBe(operationFingerprint(command));
    expect(canonicalJson(shuffled.data)).toBe(canonicalJson(command.data));
  });

  it('tells apart types and data, and ignores what JSON drops and the checkpoint id the batch assigns', () => {
    const append = operationFingerprint({
      type: 'messages.appended',
      data: { messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(
      operationFingerprint({
        type: 'messages.appended',
        data: { messages: [{ role: 'user', content: 'hi', name: undefined }] },
      }),
    ).toBe(append);
    expect(
      operationFingerprint({
        type: 'messages.appended',
        data: { messages: [{ role: 'user', content: 'hi!' }] },
      }),
    ).not.toBe(append);
    expect(
      operationFingerprint({
        type: 'compact' as never,
        data: { messages: [{ role: 'user', content: 'hi' }] },
      }),
    ).not.toBe(append);
    expect(
      operationFingerprint({ type: 'checkpoint.created', data: { id: 3, addUserMessage: true } }),
    ).toBe(operationFingerprint({ type: 'checkpoint.created', data: { addUserMessage: true } }));
    expect(
      operationFingerprint({ type: 'checkpoint.created', data: { id: 3, addUserMessage: true } }),
    ).not.toBe(
      operationFingerprint({ type: 'checkpoint.created', data: { addUserMessage: false } }),
    );
  });
});
