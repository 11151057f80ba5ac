import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileStore } from '@contextlog/fs-adapter';
import { describe, expect } from 'vitest';
import { PG_URL } from './copy/pg-backends.test-helper.js';
import {
  BIN,
  collect,
  fixture,
  it,
  oneLineError,
  runCli,
  sha256,
} from './test-support.test-helper.js';

/** A directory of sessions: two good ones, a corrupt one, an empty one, a kimi-cli file. */
async function sessions(dir: string): Promise<void> {
  await fixture(dir, 'session.jsonl');
  await fixture(dir, 'session.jsonl', 'copy of session.jsonl');
  await fixture(dir, 'seq-gap.jsonl');
  await fixture(dir, 'context.jsonl');
  await writeFile(join(dir, 'empty.jsonl'), '');
  await writeFile(join(dir, 'notes.txt'), 'not listed');
}

describe('contextlog ls', () => {
  it('lists the sessions of a directory as a table: name, size, dialect, last change', async ({
    dir,
  }) => {
    await sessions(dir);
    const result = await runCli(['ls', '.'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +SIZE {2}DIALECT +CHANGED +NOTE$/);
    expect(lines.slice(1, 5).map((line) => line.split(/ {2,}/)[0])).toEqual([
      '"copy of session"',
      'empty',
      'seq-gap',
      'session',
    ]);
    expect(lines[4]).toMatch(
      /^session +1\.1 KiB {2}kimi-cli v1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    expect(result.stdout).toContain('\n4 sessions, 3.2 KiB\n');
    expect(result.stdout).toContain(
      '1 file not listed (a kimi-cli context.jsonl): --all lists them\n',
    );
    expect(result.stdout).toContain('message counts: --counts reads each file\n');
  });

  it('--counts reads each file: message counts, and the error of a corrupt one in its note', async ({
    dir,
  }) => {
    await sessions(dir);
    const before = await sha256(join(dir, 'seq-gap.jsonl'));
    const result = await runCli(['ls', dir, '--counts', '--all'], dir);
    expect(result.code, result.stderr).toBe(0);
    const rows = Object.fromEntries(
      result.stdout
        .split('\n')
        .slice(1, 6)
        .map((line) => [line.split(/ {2,}/)[0], line.split(/ {2,}/).slice(1)]),
    );
    expect(rows.session?.[1]).toBe('4');
    expect(rows.empty?.[1]).toBe('0');
    expect(rows.context?.[1]).toBe('3');
    expect(rows.context?.at(-1)).toBe('a kimi-cli context.jsonl');
    expect(rows['seq-gap']?.[1]).toBe('-');
    expect(rows['seq-gap']?.at(-1)).toBe('error: line 6: seq gap: expected 5, got 6');
    expect(result.stdout).toContain('5 sessions (1 with an error), 3.9 KiB');
    expect(await sha256(join(dir, 'seq-gap.jsonl'))).toBe(before);
  });

  it('--json prints one object with every field the listing knows', async ({ dir }) => {
    await sessions(dir);
    const result = await runCli(['ls', dir, '--json', '--counts'], dir);
    expect(result.code, result.stderr).toBe(0);
    const listing = JSON.parse(result.stdout);
    expect(listing.location).toBe(dir);
    expect(listing.skipped).toEqual([{ path: join(dir, 'context.jsonl'), format: 'kimi' }]);
    const session = listing.sessions.find((s: { name: string }) => s.name === 'session');
    expect(session).toMatchObject({
      path: join(dir, 'session.jsonl'),
      bytes: 1127,
      format: 'contextlog',
      messages: 4,
      seq: 7,
      dialect: { name: 'kimi-cli', version: 1 },
      estimator: 'kimi-cli',
    });
    expect(Date.parse(session.changedAt)).not.toBeNaN();
  });

  it('names the live writer of a session in its note', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    const store = await openFileStore(path);
    try {
      const result = await runCli(['ls', dir], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`written by process ${process.pid}\\n`));
    } finally {
      await store.close();
    }
  });

  it('one file is listed counted; an empty directory says so', async ({ dir }) => {
    await fixture(dir, 'session.jsonl');
    const one = await runCli(['ls', 'session.jsonl'], dir);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(
      /^NAME +SIZE +MESSAGES +DIALECT +CHANGED +NOTE\nsession +1\.1 KiB +4 /,
    );
    await mkdir(join(dir, 'none'));
    const none = await runCli(['ls', 'none'], dir);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('no sessions in none\n');
  });

  it('a user mistake is one line: missing directory (exit 1), an option for URLs only (exit 2)', async ({
    dir,
  }) => {
    const missing = await runCli(['ls', 'nope'], dir);
    expect(missing.code).toBe(1);
    expect(oneLineError(missing)).toBe('contextlog: nope: no such directory or file');
    const table = await runCli(['ls', '.', '--table', 't'], dir);
    expect(table.code).toBe(2);
    expect(oneLineError(table)).toBe(
      'contextlog: --table is for a postgres:// URL (see contextlog ls --help)',
    );
  });
});

/** util-linux `script` runs a command on a pseudo-terminal: stderr is then a TTY. */
const hasScript = spawnSync('script', ['--version']).status === 0;

it.skipIf(!hasScript)(
  'ls --counts draws a progress bar on a terminal stderr, then erases it',
  async ({ dir }) => {
    await sessions(dir);
    const out = join(dir, 'out.json');
    const child = spawn(
      'script',
      [
        '-qec',
        `"${process.execPath}" "${BIN}" ls "${dir}" --counts --json > "${out}"`,
        '/dev/null',
      ],
      {
        env: { ...process.env, CONTEXTLOG_PROGRESS_MIN_BYTES: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const result = await collect(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\rcounting \[[#.]+\]\s+\d+% \d+\/\d+ MiB/);
    expect(result.stdout.endsWith('\r\u001b[K')).toBe(true);
    const listing = JSON.parse(await readFile(out, 'utf8'));
    expect(listing.sessions).toHaveLength(4);
  },
);

describe('contextlog rm', () => {
  it('deletes a session file and its lock; says what it kept', async ({ dir }) => {
    const path = await fixture(dir, 'session.jsonl');
    await writeFile(`${path}.torn-1000`, 'x');
    const result = await runCli(['rm', 'session.jsonl'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `deleted session.jsonl (1.1 KiB)\nkept 1 torn tail (bytes never acknowledged): ${path}.torn-1000\n`,
    );
    expect(await readdir(dir)).toEqual(['session.jsonl.torn-1000']);
  });

  it('refuses a session a live writer holds, a kimi-cli file and a symbolic link: one line, nothing changed', async ({
    dir,
  }) => {
    const path = await fixture(dir, 'session.jsonl');
    const kimi = await fixture(dir, 'context.jsonl');
    await symlink('session.jsonl', join(dir, 'link.jsonl'));
    const before = await sha256(path);
    const store = await openFileStore(path);
    try {
      const locked = await runCli(['rm', 'session.jsonl'], dir);
      expect(locked.code).toBe(1);
      expect(oneLineError(locked)).toMatch(
        new RegExp(`^contextlog: session\\.jsonl is locked by process ${process.pid} on host `),
      );
    } finally {
      await store.close();
    }
    const notSession = await runCli(['rm', 'context.jsonl'], dir);
    expect(notSession.code).toBe(1);
    expect(oneLineError(notSession)).toBe(
      'contextlog: context.jsonl is not a contextlog session: it is a kimi-cli context.jsonl; nothing was deleted',
    );
    const link = await runCli(['rm', 'link.jsonl'], dir);
    expect(link.code).toBe(1);
    expect(oneLineError(link)).toMatch(
      /link\.jsonl is not a contextlog session: it is a symbolic link to session\.jsonl/,
    );
    expect(await sha256(path)).toBe(before);
    expect(existsSync(kimi)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['context.jsonl', 'link.jsonl', 'session.jsonl']);
  });

  it('a missing file, a directory, an option for URLs only: one line', async ({ dir }) => {
    const missing = await runCli(['rm', 'nope.jsonl'], dir);
    expect(missing.code).toBe(1);
    expect(oneLineError(missing)).toBe('contextlog: nope.jsonl: no such file');
    const folder = await runCli(['rm', '.'], dir);
    expect(folder.code).toBe(1);
    expect(oneLineError(folder)).toBe('contextlog: .: is a directory: rm deletes one session file');
    const session = await runCli(['rm', 'x.jsonl', '--session', 'a'], dir);
    expect(session.code).toBe(2);
    expect(oneLineError(session)).toMatch(/--session is for a postgres:\/\/ URL/);
  });

  it('a URL without a session, or an unreachable server: one line, no password shown', async ({
    dir,
  }) => {
    const unnamed = await runCli(['rm', 'postgres://someone:s3cret@127.0.0.1:1/db'], dir);
    expect(unnamed.code).toBe(2);
    expect(oneLineError(unnamed)).toMatch(
      /name the session: \?session=ID in the URL, or --session ID/,
    );
    const both = await runCli(['rm', 'postgres://127.0.0.1:1/db?session=a', '--session', 'b'], dir);
    expect(both.code).toBe(2);
    expect(oneLineError(both)).toMatch(/--session conflicts with the URL's \?session=/);
    for (const command of ['rm', 'ls']) {
      const refused = await runCli(
        [command, 'postgres://someone:s3cret@127.0.0.1:1/nodb?session=x&password=s3cret'],
        dir,
      );
      expect(refused.code, refused.stderr).toBe(1);
      expect(oneLineError(refused)).toMatch(/connection refused/);
      expect(`${refused.stdout}${refused.stderr}`).not.toContain('s3cret');
    }
  });
});

describe.runIf(PG_URL !== undefined)('contextlog ls and rm on a real server', () => {
  it('lists a table, counts it, deletes a session, lists it again', async ({ dir }) => {
    const table = `catalog_cli_${process.pid}_${Date.now()}`;
    const url = (session?: string) =>
      `${PG_URL}?table=${table}${session === undefined ? '' : `&session=${encodeURIComponent(session)}`}`;
    await fixture(dir, 'session.jsonl');
    const { createPgClient } = await import('@contextlog/pg-adapter');
    const client = createPgClient(PG_URL as string);
    try {
      for (const id of ['run-1', 'run 2']) {
        const copied = await runCli(['copy', 'session.jsonl', url(id)], dir);
        expect(copied.code, copied.stderr).toBe(0);
      }
      const listed = await runCli(['ls', url()], dir);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(
        /^SESSION +SEQ +CHANGED\n"run 2" +7 +\d{4}-[^\n]+\nrun-1 +7 +[^\n]+\n\n2 sessions in table /,
      );
      const counted = await runCli(['ls', url(), '--counts', '--json'], dir);
      expect(counted.code, counted.stderr).toBe(0);
      const listing = JSON.parse(counted.stdout);
      expect(listing.sessions.map((s: { messages: number }) => s.messages)).toEqual([4, 4]);

      const removed = await runCli(['rm', url('run-1')], dir);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toMatch(
        /^deleted session "run-1" from table \S+ at .* \(7 events\)\n$/,
      );
      const again = await runCli(['rm', url('run-1')], dir);
      expect(again.code).toBe(1);
      expect(oneLineError(again)).toMatch(/session "run-1" is not in table/);
      const after = await runCli(['ls', url(), '--json'], dir);
      expect(
        JSON.parse(after.stdout).sessions.map((s: { sessionId: string }) => s.sessionId),
      ).toEqual(['run 2']);
      const last = await runCli(['rm', url(), '--session', 'run 2'], dir);
      expect(last.code, last.stderr).toBe(0);
    } finally {
      await client.query(
        `DROP TABLE IF EXISTS "${table}", "${table}_sessions", "${table}_snapshots"`,
      );
      await client.end();
    }
  });
});
