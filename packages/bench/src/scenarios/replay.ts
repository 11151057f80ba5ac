import * as path from 'node:path';
import { writeContextlogSession } from '../data/session-file.js';
import { alternate, MB, sizeLabel } from '../lib/best-of.js';
import { runChild } from '../lib/run-child.js';
import { type BenchContext, compare, type Figure, type Scenario } from '../scenario.js';

/**
 * Replays a generated session with `readSessionFile` (strict: every event validated, folded into
 * state) and reads it with the plain reader, each in a fresh process; lines per second of each,
 * and the peak RSS of the replaying process against the file size.
 */
interface ReplayRun {
  /** The size of the session to generate. */
  readonly bytes: number;
  readonly rounds: number;
}

async function replayFigures(ctx: BenchContext, { bytes, rounds }: ReplayRun): Promise<Figure[]> {
  const file = path.join(ctx.tmpDir, `session-${bytes}.jsonl`);
  ctx.log(`writing a ${sizeLabel(bytes)} session`);
  const generated = writeContextlogSession(file, bytes);
  const label = sizeLabel(generated.bytes);
  const runs = await alternate(
    rounds,
    () => runChild('plain-read', file),
    () => runChild('replay', file),
    ctx.log,
    () => runChild('plain-read-keep', file),
  );
  if (runs.ours.seq !== generated.lines || runs.baseline.lines !== generated.lines + 1) {
    throw new Error(
      `replay of ${label} folded seq ${runs.ours.seq}, plain reader ${runs.baseline.lines} lines; the file has ${generated.lines} events after its header`,
    );
  }
  if (runs.floor !== undefined && runs.floor.messages !== runs.ours.messages) {
    throw new Error(
      `the floor kept ${runs.floor.messages} messages of ${label}, the replay ${runs.ours.messages}`,
    );
  }
  const lines = generated.lines + 1; // the header is a line both readers parse
  const rate = (ms: number) => (lines / ms) * 1000;
  const fileMB = generated.bytes / MB;
  return [
    compare({
      name: `replay ${label} session vs plain reader`,
      unit: 'lines/s',
      figure: rate(runs.ours.ms),
      baseline: rate(runs.baseline.ms),
    }),
    ...(runs.floor === undefined
      ? []
      : [
          compare({
            name: `plain reader keeping the messages (floor) ${label} vs plain reader`,
            unit: 'lines/s',
            figure: rate(runs.floor.ms),
            baseline: rate(runs.baseline.ms),
          }),
          compare({
            name: `replay ${label} session vs the floor`,
            unit: 'lines/s',
            figure: rate(runs.ours.ms),
            baseline: rate(runs.floor.ms),
            target: { atLeast: 0.9 },
          }),
        ]),
    compare({
      name: `replay ${label}: peak RSS vs file size`,
      unit: 'MB',
      figure: runs.oursMaxRssBytes / MB,
      baseline: fileMB,
      target: { atMost: 3 },
    }),
    compare({
      name: `plain reader ${label}: peak RSS vs file size`,
      unit: 'MB',
      figure: runs.baselineMaxRssBytes / MB,
      baseline: fileMB,
    }),
  ];
}

/** `--large`: a 1 GB session must replay (past the 512 M-character string limit of V8). */
async function largeFigures(ctx: BenchContext): Promise<Figure[]> {
  const file = path.join(ctx.tmpDir, 'session-1GB.jsonl');
  ctx.log('writing a 1 GB session');
  const generated = writeContextlogSession(file, 1e9);
  let seq = 0;
  let figures: Figure[] = [];
  try {
    const plain = await runChild('plain-read', file);
    const ours = await runChild('replay', file);
    seq = ours.seq ?? 0;
    const lines = generated.lines + 1;
    figures = [
      compare({
        name: 'replay 1 GB session vs plain reader',
        unit: 'lines/s',
        figure: (lines / ours.ms) * 1000,
        baseline: (lines / plain.ms) * 1000,
      }),
      compare({
        name: 'replay 1 GB: peak RSS vs file size',
        unit: 'MB',
        figure: ours.maxRssBytes / MB,
        baseline: generated.bytes / MB,
      }),
    ];
  } catch (error) {
    ctx.log(`1 GB replay failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return [
    compare({
      name: 'replay 1 GB: events folded vs events in file',
      unit: 'events',
      figure: seq,
      baseline: generated.lines,
      target: { atLeast: 1 },
    }),
    ...figures,
  ];
}

export const replayScenario: Scenario = {
  id: 'replay',
  title: 'replay a session file into state (readSessionFile, strict)',
  async run(ctx) {
    const figures = await replayFigures(ctx, {
      bytes: ctx.size(100 * MB, 2 * MB),
      rounds: ctx.size(3, 1),
    });
    if (ctx.large) figures.push(...(await largeFigures(ctx)));
    return figures;
  },
};
