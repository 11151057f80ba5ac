import { contextlogFormat, type SessionFormat } from '@contextlog/fs-adapter';
import { decodeKimiLine, looksLikeKimiRecord } from './decode-line.js';
import { createKimiDecoder } from './kimi-decoder.js';
import { createKimiEncoder } from './kimi-encoder.js';

/** kimi-cli writes `role` first (a message's image data URL can be megabytes long). */
const KIMI_START = /^\s*\{\s*"role"\s*:\s*"(?:[^"\\]|\\.)*"\s*[,}]/;

/**
 * kimi-cli's `context.jsonl`: one record per line (a message, or a `_system_prompt`, `_usage` or
 * `_checkpoint` record), folded in file order with seq = records folded, blank lines allowed.
 * Pass it to a reader beside `contextlogFormat`:
 * `readSessionFile(path, { formats: [contextlogFormat, kimiFormat] })`.
 */
export const kimiFormat: SessionFormat = {
  name: 'kimi',
  title: 'a kimi-cli context.jsonl',
  signature: 'record with a string "role"',
  importedBy: 'importKimiSession',
  blankLines: true,
  detectLine({ bytes, json }) {
    if (json !== undefined) return looksLikeKimiRecord(json.value) ? 'sure' : undefined;
    // kimi-cli also accepts raw control characters inside strings, which JSON.parse refuses.
    try {
      const { kind } = decodeKimiLine(bytes);
      return kind === 'record' || kind === 'refused' ? 'sure' : undefined;
    } catch {
      return undefined;
    }
  },
  detectStart: (text) => KIMI_START.test(text),
  createDecoder: ({ source, mode, diagnostics, modified }) =>
    createKimiDecoder(source, mode, diagnostics, modified),
  createEncoder: (source) => createKimiEncoder(source),
};

/** The formats import and export tell apart, in the order detection asks them. */
export const KIMI_AND_CONTEXTLOG: readonly SessionFormat[] = [contextlogFormat, kimiFormat];
