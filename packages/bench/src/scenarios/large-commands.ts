import { spawn } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeContextlogSession } from '../data/session-file.js';
import { MB, sizeLabel } from '../lib/best-of.js';
import { compare, type Figure, type Scenario, skip } from '../scenario.js';

/** The `contextlog` command, as built in this workspace. */
const CLI = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));

/** Writes the peak RSS of the process it is loaded into to BENCH_RSS_FILE when it exits. */
const RSS_REPORTER = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

interface CommandRun {
  readonly seconds: number;
  readonly rssMB: number;
}

/** The targets against `replay --json` of the same file. */
const TIME_TARGET = { atMost: 3 } as const;
const RSS_TARGET = { atMost: 2 } as const;

/**
 * Issue 16: every command that works on a whole session, on a 1 GB session (`--large`; a few MB
 * under `--quick`, for the shape), each in a fresh `contextlog` process: its time and peak RSS
 * against `replay --json` of the same file. Reopening a snapshotted session is held to the
 * replay of the original, alternated twice. `copy` to PostgreSQL needs CONTEXTLOG_PG_URL (a real
 * server: PGlite would hold the database in the process's memory).
 */
export const largeCommandsScenario: Scenario = {
  id: 'commands',
  title: 'snapshot, fork, export-kimi, import-kimi, copy and human replay of a large session',
  async run(ctx) {
    if (!ctx.large && !ctx.quick) {
      ctx.log('commands: runs with --large (a 1 GB session) or --quick');
      return [];
    }
    const dir = ctx.tmpDir;
    const reporter = path.join(dir, 'rss.cjs');
    await writeFile(reporter, RSS_REPORTER);
    const run = (name: string, args: readonly string[]): Promise<CommandRun> => {
      ctx.log(`commands: ${name}`);
      return runCommand(reporter, path.join(dir, 'rss.txt'), args);
    };

    const source = path.join(dir, 'session.jsonl');
    const bytes = ctx.size(1024 * MB, MB);
    ctx.log(`commands: writing a ${sizeLabel(bytes)} session`);
    const generated = writeContextlogSession(source, bytes);
    const label = sizeLabel(generated.bytes);
    const figures: Figure[] = [];
    const rows = (name: string, ours: CommandRun, base: CommandRun) => {
      figures.push(
        compare({
          name: `${name} ${label} vs replay --json: time`,
          unit: 's',
          figure: ours.seconds,
          baseline: base.seconds,
          target: TIME_TARGET,
        }),
        compare({
          name: `${name} ${label} vs replay --json: peak RSS`,
          unit: 'MB',
          figure: ours.rssMB,
          baseline: base.rssMB,
          target: RSS_TARGET,
        }),
      );
    };

    const replayJson = await run('replay --json', ['replay', source, '--json']);
    figures.push(
      compare({
        name: `replay --json ${label}: time (the baseline of the rows below)`,
        unit: 's',
        figure: replayJson.seconds,
        baseline: replayJson.seconds,
      }),
      compare({
        name: `replay --json ${label}: peak RSS against the file size`,
        unit: 'MB',
        figure: replayJson.rssMB,
        baseline: generated.bytes / MB,
      }),
    );
    rows('replay (human)', await run('replay', ['replay', source]), replayJson);
    const kimi = path.join(dir, 'context.jsonl');
    rows('export-kimi', await run('export-kimi', ['export-kimi', source, kimi]), replayJson);
    const kimiReplay = await run('replay --json (kimi-cli file)', ['replay', kimi, '--json']);
    rows(
      'import-kimi (against replay --json of the kimi-cli file)',
      await run('import-kimi', ['import-kimi', kimi, path.join(dir, 'imported.jsonl')]),
      kimiReplay,
    );
    rows('fork', await run('fork', ['fork', source, path.join(dir, 'fork.jsonl')]), replayJson);
    const snapshotted = path.join(dir, 'snapshotted.jsonl');
    await copyFile(source, snapshotted);
    rows('snapshot', await run('snapshot', ['snapshot', snapshotted]), replayJson);

    // Reopening the snapshot against replaying the original: alternated, best of two each.
    const reopen = [await run('replay --json (snapshotted)', ['replay', snapshotted, '--json'])];
    const original = [replayJson, await run('replay --json', ['replay', source, '--json'])];
    reopen.push(await run('replay --json (snapshotted)', ['replay', snapshotted, '--json']));
    const best = (runs: CommandRun[]): CommandRun => ({
      seconds: Math.min(...runs.map((r) => r.seconds)),
      rssMB: Math.min(...runs.map((r) => r.rssMB)),
    });
    figures.push(
      compare({
        name: `replay --json of the snapshotted ${label} vs of the original: time`,
        unit: 's',
        figure: best(reopen).seconds,
        baseline: best(original).seconds,
        target: { atMost: 1 },
      }),
      compare({
        name: `replay --json of the snapshotted ${label} vs of the original: peak RSS`,
        unit: 'MB',
        figure: best(reopen).rssMB,
        baseline: best(original).rssMB,
        target: { atMost: 1 },
      }),
    );

    const url = process.env.CONTEXTLOG_PG_URL;
    const copyName = `copy ${label} to PostgreSQL vs replay --json`;
    if (url === undefined || url === '') {
      const why = 'no PostgreSQL server: set CONTEXTLOG_PG_URL';
      figures.push(skip(`${copyName}: time`, 's', why, TIME_TARGET));
      figures.push(skip(`${copyName}: peak RSS`, 'MB', why, RSS_TARGET));
    } else {
      const table = `bench_copy_${process.pid}`;
      const target = `${url}${url.includes('?') ? '&' : '?'}session=large&table=${table}`;
      try {
        rows('copy to PostgreSQL', await run('copy', ['copy', source, target]), replayJson);
      } finally {
        await dropTables(url, table);
      }
    }
    return figures;
  },
};

function runCommand(
  reporter: string,
  rssFile: string,
  args: readonly string[],
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // stderr is a pipe, not a terminal: no command draws a progress bar.
    const child = spawn(process.execPath, ['--require', reporter, CLI, ...args], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      // The output is thrown away, as a pipe to /dev/null would: what counts is the work.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', async (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(
          new Error(`contextlog ${args.join(' ')} failed (exit ${code}): ${stderr.slice(-1500)}`),
        );
        return;
      }
      const kb = Number(await readFile(rssFile, 'utf8'));
      resolve({ seconds, rssMB: (kb * 1024) / MB });
    });
  });
}

/** Removes what the copy made: its events table and the tables beside it. */
async function dropTables(url: string, table: string): Promise<void> {
  const { createPgClient } = await import('@contextlog/pg-adapter');
  const client = createPgClient(url, { max: 1 });
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE tablename LIKE $1 || '%'",
      [table],
    );
    for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}
