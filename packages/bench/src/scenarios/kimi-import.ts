import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKimiSession } from '../data/session-file.js';
import { alternate, MB, sizeLabel } from '../lib/best-of.js';
import { runChild } from '../lib/run-child.js';
import { compare, type Scenario } from '../scenario.js';

/**
 * Imports a generated kimi-cli `context.jsonl` into a new contextlog session
 * (`importKimiSession`, strict), against the plain reader on the same kimi-cli file; each run in a
 * fresh process. The imported session is replayed afterwards (untimed) to check it holds every
 * message.
 */
export const kimiImportScenario: Scenario = {
  id: 'kimi',
  title: 'import a kimi-cli context.jsonl (importKimiSession)',
  async run(ctx) {
    const file = path.join(ctx.tmpDir, 'context.jsonl');
    const bytes = ctx.size(100 * MB, 2 * MB);
    ctx.log(`writing a ${sizeLabel(bytes)} kimi-cli file`);
    const generated = writeKimiSession(file, bytes);
    const out = path.join(ctx.tmpDir, 'imported.jsonl');
    const runs = await alternate(
      ctx.size(3, 1),
      () => runChild('plain-read', file),
      () => {
        fs.rmSync(out, { force: true });
        return runChild('kimi-import', file, out);
      },
      ctx.log,
    );
    const check = await runChild('replay', out);
    if (check.messages !== generated.messages) {
      throw new Error(
        `the imported session holds ${check.messages} messages; the kimi-cli file has ${generated.messages}`,
      );
    }
    const lines = generated.lines + 1;
    if (runs.baseline.lines !== lines) {
      throw new Error(`plain reader parsed ${runs.baseline.lines} lines; the file has ${lines}`);
    }
    const rate = (ms: number) => (lines / ms) * 1000;
    return [
      compare({
        name: `kimi-cli import ${sizeLabel(generated.bytes)} vs plain reader`,
        unit: 'lines/s',
        figure: rate(runs.ours.ms),
        baseline: rate(runs.baseline.ms),
        target: { atLeast: 0.5 },
      }),
    ];
  },
};
