import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE } from './error-table.js';
import { UsageError } from './errors.js';
import { reportError } from './report-error.js';

/** The table of codes in core's README, one row of cells per code. */
async function readmeRows(): Promise<string[][]> {
  const readme = await readFile(new URL('../../core/README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Errors\n'));
  return section
    .split('\n')
    .filter((line) => /^\| `[A-Z_]+` +\|/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('ERROR_TABLE', () => {
  it("is the table of codes in core's README, row for row", async () => {
    const rows = await readmeRows();
    const expected = Object.entries(ERROR_TABLE).map(([code, entry]) => [
      `\`${code}\``,
      entry.package.replace('@contextlog/', ''),
      entry.meaning,
      String(entry.exitCode),
    ]);
    // A row without a CLI exit code is a code of a package the command line does not use.
    const outside = rows.filter((row) => row[3] === '—');
    expect(rows.filter((row) => row[3] !== '—')).toEqual(expected);
    for (const [code] of outside)
      expect(Object.keys(ERROR_TABLE)).not.toContain(code?.slice(1, -1));
  });

  it('reports each code by its row, whichever copy of the packages made the error', () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      // Not an instance of any class here: what another copy of a package would throw.
      const error = Object.assign(new Error(`${code} happened\n  here`), { code });
      const text =
        code === 'USAGE'
          ? `${code} happened here (see contextlog --help)`
          : `${code} happened here`;
      expect(reportError(error), code).toEqual({
        exitCode: entry.exitCode,
        text: `contextlog: ${text}`,
      });
    }
    expect(reportError(new UsageError('missing FILE', 'replay')).exitCode).toBe(2);
  });

  it('has a row for every code (checked by `tsc -b`, which compiles this file)', () => {
    const { USAGE: _usage, ...withoutUsage } = ERROR_TABLE;
    // @ts-expect-error a table without the row of a code does not compile
    const incomplete: typeof ERROR_TABLE = withoutUsage;
    expect(Object.keys(incomplete)).not.toContain('USAGE');
  });
});
