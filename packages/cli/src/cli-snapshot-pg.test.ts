import { describe, expect } from 'vitest';
import { PG_URL } from './copy/pg-backends.test-helper.js';
import { fixture, it, oneLineError, runCli } from './test-support.test-helper.js';

describe('contextlog snapshot on a postgres:// URL: usage', () => {
  it('names a missing session, a conflicting option, a file option, in one line', async ({
    dir,
  }) => {
    const unnamed = await runCli(['snapshot', 'postgres://someone:s3cret@127.0.0.1:1/db'], dir);
    expect(unnamed.code).toBe(2);
    expect(oneLineError(unnamed)).toMatch(
      /name the session: \?session=ID in the URL, or --session ID/,
    );
    const both = await runCli(
      ['snapshot', 'postgres://127.0.0.1:1/db?session=a', '--session', 'b'],
      dir,
    );
    expect(both.code).toBe(2);
    expect(oneLineError(both)).toMatch(/--session conflicts with the URL's \?session=/);
    await fixture(dir, 'session.jsonl');
    const onFile = await runCli(['snapshot', 'session.jsonl', '--remove-older'], dir);
    expect(onFile.code).toBe(2);
    expect(oneLineError(onFile)).toMatch(/--remove-older is for a postgres:\/\/ URL/);
    const refused = await runCli(
      ['snapshot', 'postgres://someone:s3cret@127.0.0.1:1/nodb?session=x'],
      dir,
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(oneLineError(refused)).toMatch(/connection refused/);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain('s3cret');
  });
});

describe.runIf(PG_URL !== undefined)('contextlog snapshot on a real server', () => {
  it('snapshots a copied session, keeping or removing older events, to the same state', async ({
    dir,
  }) => {
    const table = `snapshot_cli_${process.pid}_${Date.now()}`;
    const url = (session: string) => `${PG_URL}?table=${table}&session=${session}`;
    await fixture(dir, 'session.jsonl');
    const { createPgClient } = await import('@contextlog/pg-adapter');
    const client = createPgClient(PG_URL as string);
    try {
      const copied = await runCli(['copy', 'session.jsonl', url('run-1')], dir);
      expect(copied.code, copied.stderr).toBe(0);
      const kept = await runCli(['snapshot', url('run-1')], dir);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stdout).toMatch(
        /^snapshotted session "run-1" of table \S+ at .* at seq 7: 1 part row\n$/,
      );
      const again = await runCli(['snapshot', url('run-1')], dir);
      expect(again.stdout).toMatch(/its latest snapshot already is at seq 7: nothing new written/);
      const removed = await runCli(['snapshot', url('run-1'), '--remove-older'], dir);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toMatch(/removed 7 older events\n$/);
      const { rows } = await client.query<{ seq: number; type: string }>(
        `SELECT seq::int AS seq, type FROM "${table}" WHERE session_id = 'run-1'`,
      );
      expect(rows).toEqual([{ seq: 7, type: 'state.snapshotted' }]);
      // Copied back, the session replays to the state of the file it came from.
      const back = await runCli(['copy', url('run-1'), 'back.jsonl'], dir);
      expect(back.code, back.stderr).toBe(0);
      const original = await runCli(['replay', 'session.jsonl', '--json'], dir);
      const copy = await runCli(['replay', 'back.jsonl', '--json'], dir);
      const { messages, seq, tokenCount } = JSON.parse(original.stdout);
      expect(messages).toHaveLength(4);
      expect(JSON.parse(copy.stdout)).toMatchObject({ messages, seq, tokenCount });

      const missing = await runCli(['snapshot', url('nobody')], dir);
      expect(missing.code).toBe(1);
      expect(oneLineError(missing)).toMatch(
        /session "nobody" is not in table \S+ \(nothing was changed\)/,
      );
    } finally {
      await client.query(
        `DROP TABLE IF EXISTS "${table}", "${table}_sessions", "${table}_snapshots"`,
      );
      await client.end();
    }
  });
});
