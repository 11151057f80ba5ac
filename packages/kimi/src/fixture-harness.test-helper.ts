import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ContextState, type StoredEvent, stateToJson } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import {
  type ReadSessionOptions,
  type ReadSessionResult,
  readSessionFile,
} from '@contextlog/fs-adapter';
import { decodeKimiLine } from './decode-line.js';
import { KIMI_AND_CONTEXTLOG } from './kimi-format.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** `readSessionFile` that knows kimi-cli files too, as the CLI reads them. */
export function readSession(
  path: string,
  options: ReadSessionOptions = {},
): Promise<ReadSessionResult> {
  return readSessionFile(path, { formats: KIMI_AND_CONTEXTLOG, ...options });
}

export interface FixtureExpectation {
  readonly description: string;
  readonly state: Record<string, unknown>;
  readonly diagnostics: readonly { line: number; severity: 'warning' | 'error' }[];
  readonly strict: { throws: false } | { throws: true; line: number };
  readonly revertTo?: Readonly<Record<string, Record<string, unknown>>>;
  readonly kimiCli?: string;
}

export interface Fixture {
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly expected: FixtureExpectation;
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.jsonl'.length);
      const path = `${FIXTURE_DIR}${file}`;
      return {
        name,
        path,
        bytes: new Uint8Array(readFileSync(path)),
        expected: JSON.parse(
          readFileSync(`${FIXTURE_DIR}${name}.expected.json`, 'utf8'),
        ) as FixtureExpectation,
      };
    });
}

export interface HarnessResult {
  readonly state: ContextState;
  readonly events: StoredEvent[];
  readonly diagnostics: { line: number; severity: 'warning' | 'error'; reason: string }[];
  /** The line strict mode stops at: the first invalid line that is not the last non-blank one. */
  readonly strictStop: number | undefined;
}

/**
 * A deliberately small reader of a whole kimi-cli file, independent of the fs-adapter's streaming
 * reader: split at `\n`, decode each line, fold. It checks the decoder against the hand-written
 * expectations; the real reader is checked against the same files separately.
 */
export function replayKimiBytes(bytes: Uint8Array): HarnessResult {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  const endsWithNewline = start === bytes.length;
  if (!endsWithNewline) lines.push(bytes.subarray(start));
  const decoded = lines.map((bytesOfLine) => decodeKimiLine(bytesOfLine));
  const lastNonBlank = decoded.findLastIndex((line) => line.kind !== 'blank');
  const replayer = createFold();
  const events: StoredEvent[] = [];
  const diagnostics: HarnessResult['diagnostics'] = [];
  let strictStop: number | undefined;
  decoded.forEach((result, index) => {
    const line = index + 1;
    if (result.kind === 'blank') return;
    for (const reason of result.warnings) diagnostics.push({ line, severity: 'warning', reason });
    if (result.kind === 'refused') {
      // Read by kimi-cli, not keepable by contextlog: an error wherever it is.
      diagnostics.push({ line, severity: 'error', reason: result.reason });
      if (strictStop === undefined) strictStop = line;
      return;
    }
    if (result.kind === 'invalid') {
      // The last non-blank line is what a crash leaves (torn or not): a warning, never a stop.
      const last = index === lastNonBlank;
      diagnostics.push({ line, severity: last ? 'warning' : 'error', reason: result.reason });
      if (!last && strictStop === undefined) strictStop = line;
      return;
    }
    const event = { ...result.event, seq: replayer.seq + 1, at: '' } as StoredEvent;
    events.push(event);
    replayer.apply(event);
  });
  return { state: replayer.state, events, diagnostics, strictStop };
}

/**
 * The state as the hand-written expectations give it: they predate dialects, so the dialect and
 * estimator, which must be kimi-cli's defaults, are checked here and left out.
 */
export function jsonOf(state: ContextState): Record<string, unknown> {
  const { dialect, estimator, ...rest } = stateToJson(state) as Record<string, unknown>;
  if (JSON.stringify(dialect) !== '{"name":"kimi-cli","version":1}' || estimator !== 'kimi-cli') {
    throw new Error(
      `not kimi-cli's dialect and estimator: ${JSON.stringify({ dialect, estimator })}`,
    );
  }
  return rest;
}
