import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { NOT_INSTALLED, peersDir } from '../peers/location.js';

// Runs the built bench's `peers` scenario on its small sizes (`tsc -b` first, as `pnpm test`
// does) and checks the rows' shape, never the figures.
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const NO_SERVER = 'no PostgreSQL server: set CONTEXTLOG_PG_URL';

type Row = Record<string, unknown>;

function runPeers(env: Record<string, string | undefined>): Row[] {
  // Its own TMPDIR: the bench's temp dirs are checked here, out of sight of quick.test.ts's check.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'contextlog-peers-test-'));
  try {
    const run = spawnSync(process.execPath, [MAIN, '--quick', '--json', '--only', 'peers'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TMPDIR: tmp, ...env },
    });
    expect(run.stderr).not.toContain('FAILED');
    expect(run.status).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
    return (JSON.parse(run.stdout) as { scenarios: Row[] }).scenarios;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const PEER_ROWS = [
  /SQLite one transaction per tick/,
  /SQLite one transaction per call/,
  /sequential p50, file \(fsync\) vs SQLite/,
  /vs SQLite \(better-sqlite3\)/,
  /contract floor \(file\) vs SQLite one transaction per tick/,
  /sequential p50, contract floor \(file\) vs SQLite/,
  /plain reader keeping the messages \(floor\) vs SQLite/,
  /LangGraph SQLite saver, one put per tick/,
  /LangGraph SQLite saver, one put per call/,
  /sequential p50, file \(fsync\) vs LangGraph SQLite/,
  /LangGraph SQLite saver getTuple/,
  /Emmett appendToStream without version check/,
  /Emmett appendToStream retrying version conflicts/,
  /Emmett without version check, 64 producers: retries/,
  /Emmett retrying version conflicts, 64 producers: retries/,
  /sequential p50, PostgreSQL vs Emmett/,
  /Emmett readStream/,
  /LangGraph PostgreSQL saver, one put per tick/,
  /LangGraph PostgreSQL saver, one put per call/,
  /sequential p50, PostgreSQL vs LangGraph PostgreSQL/,
  /LangGraph PostgreSQL saver getTuple/,
];

function expectEveryPeerRow(rows: readonly Row[]) {
  expect(rows).toHaveLength(PEER_ROWS.length);
  PEER_ROWS.forEach((pattern, i) => {
    expect(rows[i]?.name).toMatch(pattern);
  });
}

function expectMeasured(row: Row) {
  expect(Number.isFinite(row.figure)).toBe(true);
  expect(Number.isFinite(row.baseline)).toBe(true);
  expect(row.figure as number).toBeGreaterThanOrEqual(0);
  expect(row.note).toBeUndefined();
  expect(row.status).toBe(row.target === null ? 'INFO' : row.status);
  if (row.target !== null) expect(['PASS', 'MISS']).toContain(row.status);
}

const installed = fs.existsSync(path.join(peersDir(), 'node_modules', 'better-sqlite3'));
const pgUrl = process.env.CONTEXTLOG_PG_URL;

test('with no peers installed, every peer row is SKIP and says how to install them', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'contextlog-peers-empty-'));
  try {
    const rows = runPeers({ BENCH_PEERS_DIR: empty, CONTEXTLOG_PG_URL: pgUrl ?? '' });
    expectEveryPeerRow(rows);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'SKIP', note: NOT_INSTALLED });
      // NaN in the report: null in its JSON.
      expect([row.figure, row.baseline, row.ratio]).toEqual([null, null, null]);
    }
    // The targets show even when skipped, so a reader sees what was not measured.
    expect(rows.filter((row) => row.target !== null)).toHaveLength(PEER_ROWS.length - 5);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
}, 150_000);

test.skipIf(!installed)(
  'with the peers installed and no server, the file-backend rows are measured',
  () => {
    const rows = runPeers({ CONTEXTLOG_PG_URL: '' });
    expectEveryPeerRow(rows);
    for (const row of rows.slice(0, 11)) expectMeasured(row);
    for (const row of rows.slice(11))
      expect(row).toMatchObject({ status: 'SKIP', note: NO_SERVER });
  },
  150_000,
);

test.skipIf(!installed || pgUrl === undefined || pgUrl === '')(
  'with the peers installed and a server, every row is measured',
  () => {
    const rows = runPeers({});
    expectEveryPeerRow(rows);
    for (const row of rows) expectMeasured(row);
  },
  150_000,
);
