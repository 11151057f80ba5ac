import type { Machine } from './machine.js';
import type { ScenarioFailure } from './runner.js';
import type { Figure } from './scenario.js';

export interface Report {
  readonly machine: Machine;
  readonly scenarios: readonly Figure[];
  /** Present only when a scenario failed to run. */
  readonly errors?: readonly ScenarioFailure[];
}

/** Three significant digits, thousands separated: figures are noisy beyond that. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en');
  return Number(value.toPrecision(3)).toLocaleString('en', { maximumFractionDigits: 3 });
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return i === 0 ? cell + pad : pad + cell;
      })
      .join('  ');
  const [head, ...body] = rows;
  if (head === undefined) return '';
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...body.map(line)].join('\n');
}

export function formatHuman(report: Report): string {
  const { machine } = report;
  const header = [
    `contextlog bench (${machine.mode}), ${machine.startedAt}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.os}`,
    `temp files on ${machine.disk.device} (${machine.disk.fsType}) at ${machine.disk.tmpDir}; load average at start ${machine.loadAverage.join(' ')}${
      machine.loadAverageEnd === undefined ? '' : `, at end ${machine.loadAverageEnd.join(' ')}`
    }`,
    '',
  ];
  const rows = [
    ['scenario', 'figure', 'baseline', 'ratio', 'target', 'status'],
    ...report.scenarios.map((f) =>
      f.status === 'SKIP'
        ? [f.name, '-', '-', '-', f.target ?? '', `SKIP (${f.note ?? 'not measured'})`]
        : [
            f.name,
            `${formatNumber(f.figure)} ${f.unit}`,
            `${formatNumber(f.baseline)} ${f.unit}`,
            `${formatNumber(f.ratio)}x`,
            f.target ?? '',
            f.note === undefined ? f.status : `${f.status} (${f.note})`,
          ],
    ),
  ];
  const errors = (report.errors ?? []).map((e) => `\nFAILED ${e.scenario}: ${e.error}`);
  return [...header, table(rows), ...errors, ''].join('\n');
}
