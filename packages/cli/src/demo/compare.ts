import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type ContextState, stateToJson } from '@contextlog/core';
import { clip, describeMessage } from '../output/describe-message.js';
import { padColumns } from '../output/display-width.js';

type StateJson = Record<string, unknown>;

/** The state as plain JSON, without the fields named in `omit`. */
export function comparable(state: ContextState, omit: readonly string[] = []): StateJson {
  const json = stateToJson(state) as StateJson;
  for (const key of omit) delete json[key];
  return json;
}

export interface Comparison {
  readonly equal: boolean;
  /** Top-level fields whose values differ. */
  readonly differing: readonly string[];
  readonly hashes: readonly [string, string];
}

export function compareStates(
  a: ContextState,
  b: ContextState,
  omit: readonly string[] = [],
): Comparison {
  const left = comparable(a, omit);
  const right = comparable(b, omit);
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  const differing = keys.filter((key) => !isDeepStrictEqual(left[key], right[key]));
  return {
    equal: isDeepStrictEqual(left, right),
    differing,
    hashes: [hashOf(left), hashOf(right)],
  };
}

function hashOf(json: StateJson): string {
  return createHash('sha256').update(JSON.stringify(json)).digest('hex').slice(0, 16);
}

/** Rows of a side-by-side table: a label, then each state's value as a short string. */
export function sideBySide(
  left: ContextState,
  right: ContextState,
  comparison: Comparison,
  omit: readonly string[] = [],
): string[] {
  const rows: [string, (s: ContextState) => string, string][] = [
    ['seq', (s) => String(s.seq), 'seq'],
    [
      'system prompt',
      (s) => (s.systemPrompt === null ? '(none)' : clip(s.systemPrompt.split('\n')[0] ?? '', 24)),
      'systemPrompt',
    ],
    ['messages', (s) => String(s.messages.length), 'messages'],
    ['token count', (s) => String(s.tokenCount), 'tokenCount'],
    ['pending estimate', (s) => String(s.pendingTokenEstimate), 'pendingTokenEstimate'],
    [
      'checkpoints',
      (s) =>
        `${s.checkpoints.length}${s.checkpoints.length === 0 ? '' : ` (id ${s.checkpoints.map((m) => m.id).join(',')})`}`,
      'checkpoints',
    ],
    ['next checkpoint', (s) => String(s.nextCheckpointId), 'nextCheckpointId'],
    ['metadata keys', (s) => Object.keys(s.metadata).join(',') || '-', 'metadata'],
    [
      'last message',
      (s) => {
        const last = s.messages[s.messages.length - 1];
        return last === undefined ? '-' : clip(`${last.role}: ${describeMessage(last)}`, 24);
      },
      'messages',
    ],
  ];
  const lines = rows
    .filter(([, , field]) => !omit.includes(field))
    .map(([label, show, field]) =>
      row(label, show(left), show(right), comparison.differing.includes(field) ? '≠' : '='),
    );
  lines.push(
    row('state sha-256', comparison.hashes[0], comparison.hashes[1], comparison.equal ? '=' : '≠'),
  );
  return lines;
}

export const LABEL_WIDTH = 17;
export const COLUMN_WIDTH = 27;

function row(label: string, left: string, right: string, mark: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${padColumns(left, COLUMN_WIDTH)}${mark}  ${right}`;
}

/** The header of the table: the two column titles over the values. */
export function tableHeader(left: string, right: string): string {
  return `  ${''.padEnd(LABEL_WIDTH)}${padColumns(left, COLUMN_WIDTH)}   ${right}`;
}
