import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { SESSION_STATE } from './expected-states.test-helper.js';
import {
  FIXTURES,
  fixture,
  it,
  oneLineError,
  replayJson,
  runCli,
  sha256,
} from './test-support.test-helper.js';

describe('contextlog copy', () => {
  it('copies a session file, keeping seqs; SOURCE unchanged', async ({ dir }) => {
    const source = await fixture(dir, 'session.jsonl');
    const target = join(dir, 'copy.jsonl');
    const before = await sha256(source);
    const result = await runCli(['copy', source, target], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/: 7 events, last seq 7, same state\n$/);
    expect(await sha256(source)).toBe(before);
    expect(await replayJson(target, dir)).toEqual(SESSION_STATE);
  });

  it('refuses a TARGET file that exists; SOURCE and TARGET unchanged', async ({ dir }) => {
    const source = await fixture(dir, 'session.jsonl');
    const target = await fixture(dir, 'context.jsonl');
    const before = await sha256(target);
    const result = await runCli(['copy', source, target], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toMatch(/context\.jsonl: already exists/);
    expect(await sha256(target)).toBe(before);
  });

  it('bad SOURCE files and an unreachable server: one line, exit 1, no password shown', async ({
    dir,
  }) => {
    const missing = await runCli(['copy', join(dir, 'nope.jsonl'), join(dir, 'x.jsonl')], dir);
    expect(missing.code, missing.stderr).toBe(1);
    expect(oneLineError(missing)).toMatch(/nope\.jsonl: no such file/);

    const corrupt = await fixture(dir, 'corrupt-middle.jsonl');
    const bad = await runCli(['copy', corrupt, join(dir, 'y.jsonl')], dir);
    expect(bad.code, bad.stderr).toBe(1);
    expect(oneLineError(bad)).toMatch(/corrupt-middle\.jsonl:4\b/);
    expect(existsSync(join(dir, 'y.jsonl'))).toBe(false);

    const source = await fixture(dir, 'session.jsonl');
    for (const url of [
      'postgres://someone:s3cret@127.0.0.1:1/nodb?session=x',
      'postgres://someone@127.0.0.1:1/nodb?session=x&password=s3cret',
    ]) {
      const refused = await runCli(['copy', source, url], dir);
      expect(refused.code, refused.stderr).toBe(1);
      const line = oneLineError(refused);
      expect(line).toMatch(/ECONNREFUSED|connection/i);
      expect(`${refused.stdout}${refused.stderr}`).not.toContain('s3cret');
    }
  });

  it('a kimi-cli SOURCE: one line saying to convert it; TARGET the SOURCE itself: refused', async ({
    dir,
  }) => {
    const kimi = await fixture(dir, 'context.jsonl');
    const result = await runCli(['copy', 'context.jsonl', 'x.jsonl'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(oneLineError(result)).toBe(
      'contextlog: context.jsonl: is a kimi-cli context.jsonl: copy reads contextlog sessions; convert it with `contextlog import-kimi context.jsonl OUT`',
    );
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);

    // An empty session copied onto itself would gain a header: SOURCE must stay unchanged.
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const session = await fixture(dir, 'session.jsonl');
    for (const [source, target] of [
      [empty, empty],
      [session, './session.jsonl'],
    ] as const) {
      const before = await sha256(source);
      const same = await runCli(['copy', source, target], dir);
      expect(same.code, same.stderr).toBe(1);
      expect(oneLineError(same)).toMatch(/is the same file as .*\(TARGET must be another file\)$/);
      expect(await sha256(source)).toBe(before);
    }
    expect(await sha256(kimi)).toBe(await sha256(join(FIXTURES, 'context.jsonl')));
  });

  it('an invalid URL: one line, exit 1, the password not shown', async ({ dir }) => {
    const source = await fixture(dir, 'session.jsonl');
    for (const url of [
      'postgres://u:secret@[bad',
      'postgres://u:sec@ret@host:99999/db',
      'postgres://u@[bad/db?session=x&password=secret',
      'postgres://u@host:99999/db?PASSWORD=secret',
    ]) {
      const result = await runCli(['copy', source, url], dir);
      expect(result.code, result.stderr).toBe(1);
      const line = oneLineError(result);
      expect(line).toMatch(/not a valid URL$/);
      expect(line).toMatch(/postgres:\/\/u:\*\*\*@|password=\*\*\*/i);
      expect(line).not.toMatch(/secret|sec@ret|ret@/);
    }
  });

  const pgUrl = process.env.CONTEXTLOG_PG_URL;
  it.skipIf(pgUrl === undefined)(
    'round trip through a real PostgreSQL (CONTEXTLOG_PG_URL)',
    async ({ dir }) => {
      const source = await fixture(dir, 'session.jsonl');
      const url = new URL(pgUrl as string);
      url.searchParams.set('session', `cli-test-${process.pid}-${Date.now()}`);
      const up = await runCli(['copy', source, url.toString()], dir);
      expect(up.code, up.stderr).toBe(0);
      const back = join(dir, 'back.jsonl');
      const down = await runCli(['copy', url.toString(), back], dir);
      expect(down.code, down.stderr).toBe(0);
      expect(await replayJson(back, dir)).toEqual(SESSION_STATE);
    },
  );

  it.skipIf(pgUrl === undefined)(
    'a password in the query is hidden on stdout and in errors (real PostgreSQL)',
    async ({ dir }) => {
      const source = await fixture(dir, 'session.jsonl');
      const url = new URL(pgUrl as string);
      // The server trusts local connections: the password is sent and ignored.
      url.searchParams.set('password', 'pa55word-in-query');
      url.searchParams.set('session', `cli-secret-${process.pid}-${Date.now()}`);
      const up = await runCli(['copy', source, url.toString()], dir);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/ to postgres:\/\/.*[?&]password=\*\*\*.*: 7 events/);
      const again = await runCli(['copy', source, url.toString()], dir);
      expect(again.code, again.stderr).toBe(1);
      expect(oneLineError(again)).toMatch(/password=\*\*\*.* already holds a session/);
      for (const result of [up, again]) {
        expect(`${result.stdout}${result.stderr}`).not.toContain('pa55word');
      }
    },
  );
});
