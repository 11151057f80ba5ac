import type { DialectOptions, StoredEvent } from '@contextlog/core';
import type { SessionHeader } from '../format/header.js';
import type { LineBatch } from './line-batches.js';
import type { Diagnostic, ReadMode } from './types.js';

/** A format's name, as `ReadSessionResult.format` and the `format` option give it. */
export type SessionFormatName = string;

/**
 * What a line says about a file's format: `'sure'` when it can be nothing else (a contextlog
 * header, a kimi-cli record), `'weak'` when another format's sure claim on the same line wins
 * (an object with a `seq` and a `type` is a contextlog event, unless it is also a kimi-cli record).
 */
export type FormatClaim = 'sure' | 'weak';

/** One non-blank line, as detection hands it to each format. */
export interface DetectedLine {
  /** The line's bytes, without its `\n` and without a leading UTF-8 byte-order mark. */
  readonly bytes: Buffer;
  /** `JSON.parse` of the line (parsed once for every format), or undefined if it refused it. */
  readonly json: { readonly value: unknown } | undefined;
}

/**
 * Called for each event in file order. `raw` holds the line's own bytes at `[start, end)` when
 * the line is the event's one message as is (so a writer can splice them). Returns a reason when
 * the caller could not use the event (say, a revert to a checkpoint that is not live); the line
 * then counts as corrupt.
 */
export type EventSink = (
  event: StoredEvent,
  line: number,
  offset: number,
  raw?: Buffer,
  start?: number,
  end?: number,
) => string | undefined;

/** What a decoder is made for: one read of one file. */
export interface DecoderContext {
  /** The file's path, for errors. */
  readonly source: string;
  readonly mode: ReadMode;
  /** Where the decoder reports what it skipped or noticed. */
  readonly diagnostics: Diagnostic[];
  /** The file's modification time (ISO 8601): the `at` of events whose lines carry no time. */
  readonly modified: string;
  /** The dialects and estimators the reader knows besides kimi-cli's. */
  readonly dialects?: DialectOptions;
}

/**
 * Decodes a file's lines into events, batch by batch, in file order. Strict mode throws
 * `CorruptSessionError` at the first broken line; lenient mode skips it with a diagnostic.
 */
export interface FormatDecoder {
  /** Decodes a batch's whole lines (and, on the final batch, its unterminated tail). */
  batch(batch: LineBatch, sink: EventSink): void;
  /** Settles what waited to know whether it was the last line; called once after the last batch. */
  finish(): void;
  /** Lines seen, header, blank lines and a torn tail included. */
  readonly lines: number;
  /** Events folded (one per record for formats without events). */
  readonly events: number;
  /** Lines skipped as invalid (lenient mode) and torn tails ignored. */
  readonly skipped: number;
  /** Blank lines the format allows (always 0 for contextlog, which has none). */
  readonly blank: number;
  /** A contextlog file's header line. */
  readonly header?: SessionHeader | undefined;
  /** Where the torn tail of an unfinished write starts, and its length, if the file ends in one. */
  readonly tornTail?: TornTail | undefined;
}

/** The end of a file that an unfinished write left: never an event, set aside on open. */
export interface TornTail {
  readonly offset: number;
  readonly length: number;
}

/** Writes a session in a format: fed the session's events in seq order, then asked for lines. */
export interface FormatEncoder {
  apply(event: StoredEvent): void;
  /** The file's lines, without `\n`. */
  lines(): Iterable<string>;
}

/**
 * A session file format: how a file of it is told apart, read and (if the format is written)
 * written. Formats are passed explicitly to whatever reads (`readSessionFile(path, { formats })`);
 * nothing registers itself on import.
 */
export interface SessionFormat {
  readonly name: SessionFormatName;
  /** How a message names a file of this format: `a kimi-cli context.jsonl`. */
  readonly title: string;
  /** What a line of this format shows, for "cannot tell the format": `contextlog header`. */
  readonly signature: string;
  /** The function that converts a file of this format into a contextlog session, if any. */
  readonly importedBy?: string;
  /** True when a file of blank lines only is an (empty) session of this format. */
  readonly blankLines: boolean;
  /** What one whole non-blank line says about the format, if anything. */
  detectLine(line: DetectedLine): FormatClaim | undefined;
  /**
   * What the start of a line too long to hold says (its first 64 KiB as text, without a
   * byte-order mark): true when it starts as this format's lines start.
   */
  detectStart(text: string): boolean;
  createDecoder(context: DecoderContext): FormatDecoder;
  /** Absent for a format that is only read. */
  createEncoder?(source: string): FormatEncoder;
}
