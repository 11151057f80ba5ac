import type { DialectRef } from '@contextlog/core';
import { displayWidth, padColumns } from '../output/display-width.js';

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** "0 B", "912 B", "1.2 KiB", "31 MiB": three significant figures at most. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = '';
  for (const next of UNITS) {
    value /= 1024;
    unit = next;
    if (value < 1024) break;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/** An ISO 8601 time as a table shows it: `2026-01-01 12:00:00Z` (UTC, to the second). */
export function formatTime(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso)
    ? `${iso.slice(0, 19).replace('T', ' ')}Z`
    : iso;
}

export function formatDialect(dialect: DialectRef | undefined): string {
  return dialect === undefined ? '-' : `${dialect.name} v${dialect.version}`;
}

/**
 * Lines of a table: a header row, then the rows, each column as wide as its widest cell (in
 * terminal columns); the columns in `right` are aligned right. Trailing spaces are cut.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => displayWidth(row[column] ?? ''))),
  );
  return all.map((row) =>
    row
      .map((cell, column) => {
        const width = (widths[column] ?? 0) + 2;
        if (!right.has(column)) return padColumns(cell, width);
        return `${' '.repeat(Math.max(0, width - 2 - displayWidth(cell)))}${cell}  `;
      })
      .join('')
      .trimEnd(),
  );
}

/** A name as a cell shows it: quoted as JSON when it holds a space or a control character. */
export function cellText(name: string): string {
  return /[\s\p{Cc}]/u.test(name) || name === '' ? JSON.stringify(name) : name;
}
