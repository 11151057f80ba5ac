import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openFileSession, readSessionFile } from '@contextlog/fs-adapter';
import { exportKimiSession } from '@contextlog/kimi';
import { compareStates, sideBySide, tableHeader } from '../demo/compare.js';
import { createFaultyFs } from '../demo/faulty-fs.js';
import { runScenario } from '../demo/scenario.js';
import { FileError } from '../errors.js';
import { FORMATS } from '../formats.js';
import { checkOutputFile } from '../input.js';
import { describeCounts } from '../output/counts.js';
import { type Command, writeLines } from './command.js';
import { flag } from './shared-options.js';

/** kimi-cli's format holds no metadata, and its seq is the number of records it folded. */
const NOT_IN_KIMI = ['seq', 'metadata'] as const;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a simulated agent session on a real file and prove replay = live',
  positionals: [],
  options: {
    dir: {
      type: 'string',
      valueName: 'DIR',
      description: 'write the demo files into DIR (default: a new temporary directory)',
    },
    force: { type: 'boolean', description: 'replace demo files left in DIR by an earlier run' },
  },
  description: [
    'Runs a simulated agent session on a real session file: concurrent tasks append messages,',
    'usage and checkpoints; a turn is cancelled mid-way; a write fails (injected ENOSPC) and the',
    'session goes on; a revert and a compaction happen. Then a fresh reader replays the file and',
    'the replayed state is compared, field by field, with the live one; then the same round trip',
    'through a kimi-cli context.jsonl (export, read back, compare). Exit 1 if any differ.',
  ],
  examples: ['contextlog demo', 'contextlog demo --dir ./demo-out'],
  async run({ values, io }) {
    const started = performance.now();
    const dir = await demoDirectory(values.dir, { force: flag(values, 'force') });
    const sessionPath = join(dir, 'session.jsonl');
    const kimiPath = join(dir, 'context.jsonl');
    const say = (...lines: string[]) => writeLines(io, lines);

    say('contextlog demo: a simulated agent session on a real session file', '');
    const faults = createFaultyFs();
    const engine = await openFileSession(sessionPath, { fs: faults.fs });
    let report: Awaited<ReturnType<typeof runScenario>>;
    try {
      report = await runScenario(engine, faults);
    } finally {
      await engine.close();
    }
    const live = engine.state;
    say(...report.steps.map((step) => `  ✓ ${step}`), '');

    const replayed = await readSessionFile(sessionPath);
    const replay = compareStates(live, replayed.state);
    say(
      `A fresh reader replayed ${sessionPath}`,
      `(${replayed.format}, ${describeCounts(replayed.counts)}):`,
      '',
      tableHeader('live', 'replayed'),
      ...sideBySide(live, replayed.state, replay),
      '',
    );

    await exportKimiSession(sessionPath, kimiPath, { force: true });
    const kimi = await readSessionFile(kimiPath, { formats: FORMATS });
    const roundTrip = compareStates(live, kimi.state, NOT_IN_KIMI);
    say(
      `Exported to kimi-cli's format and read back: ${kimiPath} (${kimi.format})`,
      `(compared without ${NOT_IN_KIMI.join(' and ')}, which kimi-cli's format has no place for):`,
      '',
      tableHeader('live', 'kimi-cli file'),
      ...sideBySide(live, kimi.state, roundTrip, NOT_IN_KIMI),
      '',
    );

    const failures = [
      ...report.problems,
      ...(replay.equal ? [] : [`replayed state differs in: ${replay.differing.join(', ')}`]),
      ...(kimi.format === 'kimi' ? [] : [`the exported file was read as ${kimi.format}`]),
      ...(roundTrip.equal
        ? []
        : [`kimi-cli round trip differs in: ${roundTrip.differing.join(', ')}`]),
      ...replayed.diagnostics.map((d) => `replay diagnostic at line ${d.line}: ${d.reason}`),
    ];
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (failures.length > 0) {
      for (const failure of failures) io.stderr.write(`contextlog demo: FAILED: ${failure}\n`);
      return 1;
    }
    // Run through `pnpm demo`, the command is `pnpm contextlog` (the bin is not on PATH there).
    const self = process.env.npm_lifecycle_event === undefined ? 'contextlog' : 'pnpm contextlog';
    say(
      `Try: ${self} replay ${sessionPath}`,
      `     ${self} replay ${kimiPath} --json`,
      '',
      `Done in ${seconds} s. The replayed state equals the live one, and so does the kimi-cli round trip.`,
    );
    return 0;
  },
};

async function demoDirectory(
  dir: string | boolean | undefined,
  { force }: { readonly force: boolean },
): Promise<string> {
  if (typeof dir !== 'string') return mkdtemp(join(tmpdir(), 'contextlog-demo-'));
  const absolute = resolve(dir);
  const existing = await stat(absolute).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new FileError(absolute, 'is not a directory (--dir names where the demo writes)');
  }
  await mkdir(absolute, { recursive: true });
  for (const name of ['session.jsonl', 'context.jsonl']) {
    const path = join(absolute, name);
    if (await checkOutputFile(path, { force })) await rm(path);
  }
  return absolute;
}
