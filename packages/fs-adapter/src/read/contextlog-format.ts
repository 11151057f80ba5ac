import type { StoredEvent } from '@contextlog/core';
import { DEFAULT_KIND, kindAfter } from '@contextlog/core/store';
import { headerLine, headerVersionFor, isHeaderLike } from '../format/header.js';
import { createContextlogDecoder } from './contextlog-decoder.js';
import type { SessionFormat } from './session-format.js';

const HEADER_START = /^\s*\{\s*"format"\s*:\s*"contextlog"/;
const EVENT_START = /^\s*\{\s*"seq"\s*:\s*\d/;

/**
 * contextlog's own format: a header line, then one stored event per line (see
 * contextlog-decoder.ts). The format every reader knows without being told.
 */
export const contextlogFormat: SessionFormat = {
  name: 'contextlog',
  title: 'a contextlog session',
  signature: 'contextlog header',
  blankLines: false,
  detectLine({ json }) {
    if (json === undefined) return undefined;
    const { value } = json;
    if (isHeaderLike(value)) return 'sure';
    // An event; an object of another format may have these too, so its sure claim wins.
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as { type?: unknown }).type === 'string' &&
      typeof (value as { seq?: unknown }).seq === 'number'
      ? 'weak'
      : undefined;
  },
  // contextlog writes its header's `format` or an event's `seq` first.
  detectStart: (text) => HEADER_START.test(text) || EVENT_START.test(text),
  createDecoder: ({ source, mode, diagnostics, dialects }) =>
    createContextlogDecoder(source, mode, diagnostics, dialects),
  createEncoder() {
    const events: StoredEvent[] = [];
    return {
      apply: (event) => {
        events.push(event);
      },
      *lines() {
        yield headerLine(new Date(), headerVersionFor(kindAfter(DEFAULT_KIND, events))).slice(
          0,
          -1,
        );
        for (const event of events) yield JSON.stringify(event);
      },
    };
  },
};
