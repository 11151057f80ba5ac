import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { it, oneLineError, runCli, sha256 } from './test-support.test-helper.js';

const note = (id: string, text: string) => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

/** A session in a dialect the CLI does not know, as an engine of that dialect writes it. */
async function notesSession(dir: string): Promise<string> {
  const path = join(dir, 'notes.jsonl');
  const at = '2026-12-06T00:00:00.000Z';
  const lines = [
    { format: 'contextlog', version: 2, createdAt: at },
    {
      seq: 1,
      type: 'session.declared',
      v: 1,
      at,
      data: { dialect: { name: 'testkit-notes', version: 1 }, estimator: 'kimi-cli' },
    },
    {
      seq: 2,
      type: 'messages.appended',
      v: 1,
      at,
      data: { messages: [note('a', 'hello there'), note('b', 'and again')] },
    },
  ];
  await writeFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  return path;
}

describe('a session in a dialect the CLI does not know', () => {
  it('replay shows its dialect and messages, warns that they are unchecked, and has no estimate', async ({
    dir,
  }) => {
    const path = await notesSession(dir);
    const human = await runCli(['replay', path], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/dialect\s+testkit-notes v1, estimator kimi-cli/);
    expect(human.stdout).toMatch(/unknown pending/);
    expect(human.stdout).toMatch(/testkit-notes v1 is not known here/);
    expect(human.stdout).toMatch(/user\s+hello there/);
    const json = JSON.parse((await runCli(['replay', path, '--json'], dir)).stdout);
    expect(json).toMatchObject({
      dialect: { name: 'testkit-notes', version: 1 },
      estimator: 'kimi-cli',
      pendingTokenEstimate: null,
      messages: [note('a', 'hello there'), note('b', 'and again')],
    });
  });

  it('snapshot is refused in one line, the file unchanged', async ({ dir }) => {
    const path = await notesSession(dir);
    const before = await sha256(path);
    const result = await runCli(['snapshot', path], dir);
    expect(result.code).toBe(1);
    expect(oneLineError(result)).toMatch(/snapshot needs the session's dialect testkit-notes v1/);
    expect(await sha256(path)).toBe(before);
  });
});
