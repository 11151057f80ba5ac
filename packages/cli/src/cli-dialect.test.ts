import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { it, oneLineError, runCli, sha256 } from './test-support.test-helper.js';

const note = (id: string, text: string) => ({
  id,
  role: 'user',
  parts: [{ type: 'text', text }],
});

const AT = '2026-12-06T00:00:00.000Z';

/** A session of `dialect` holding `messages`, as an engine of that dialect writes it. */
async function dialectSession(
  dir: string,
  name: string,
  dialect: string,
  messages: readonly unknown[],
): Promise<string> {
  const path = join(dir, name);
  const lines = [
    { format: 'contextlog', version: 2, createdAt: AT },
    {
      seq: 1,
      type: 'session.declared',
      v: 1,
      at: AT,
      data: { dialect: { name: dialect, version: 1 }, estimator: 'kimi-cli' },
    },
    { seq: 2, type: 'messages.appended', v: 1, at: AT, data: { messages } },
  ];
  await writeFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  return path;
}

/** A session in a dialect the CLI does not know. */
const notesSession = (dir: string) =>
  dialectSession(dir, 'notes.jsonl', 'testkit-notes', [
    note('a', 'hello there'),
    note('b', 'and again'),
  ]);

/** An AI SDK chat (the `ai-sdk-ui` dialect, which the CLI knows). */
const chatSession = (dir: string, messages: readonly unknown[]) =>
  dialectSession(dir, 'chat.jsonl', 'ai-sdk-ui', messages);

const uiMessage = (id: string, role: string, text: string) => ({
  id,
  role,
  parts: [{ type: 'text', text }],
});

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

describe('a session in a dialect the CLI knows (an AI SDK chat)', () => {
  it('replay and verify show its dialect, check its messages with it, and estimate', async ({
    dir,
  }) => {
    const path = await chatSession(dir, [
      uiMessage('u1', 'user', 'what is the weather?'),
      uiMessage('a1', 'assistant', 'sunny'),
    ]);
    const human = await runCli(['replay', path], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/dialect\s+ai-sdk-ui v1, estimator kimi-cli/);
    expect(human.stdout).not.toMatch(/not known here/);
    expect(human.stdout).toMatch(/user\s+what is the weather\?/);
    const json = JSON.parse((await runCli(['replay', path, '--json'], dir)).stdout);
    // 25 code points of text, a token per four.
    expect(json).toMatchObject({
      dialect: { name: 'ai-sdk-ui', version: 1 },
      pendingTokenEstimate: 6,
    });
    const verify = await runCli(['verify', path], dir);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(
      /sound \(contextlog, dialect ai-sdk-ui v1, estimator kimi-cli, 3 lines/,
    );
  });

  it('a message its dialect refuses is named by line and field, and the file is unchanged', async ({
    dir,
  }) => {
    const path = await chatSession(dir, [
      uiMessage('u1', 'user', 'hi'),
      uiMessage('a1', 'robot', 'beep'),
    ]);
    const before = await sha256(path);
    for (const command of ['replay', 'verify']) {
      const result = await runCli([command, path], dir);
      expect(result.code, command).toBe(1);
      expect(result.stderr + result.stdout, command).toMatch(
        /chat\.jsonl:3\b.*messages\[1\]\.role: Invalid option/,
      );
    }
    expect(await sha256(path)).toBe(before);
  });

  it('snapshot keeps the dialect, and the snapshot replays to the same state', async ({ dir }) => {
    const path = await chatSession(dir, [uiMessage('u1', 'user', 'hi')]);
    const before = JSON.parse((await runCli(['replay', path, '--json'], dir)).stdout);
    const result = await runCli(['snapshot', path], dir);
    expect(result.code, result.stderr).toBe(0);
    const after = JSON.parse((await runCli(['replay', path, '--json'], dir)).stdout);
    expect(after).toEqual(before);
  });
});

describe('a session in the openai-agents dialect (an OpenAI Agents SDK history)', () => {
  const items = (...list: unknown[]) => list;
  it('replay shows its dialect and items; an item the dialect refuses is named by line and field', async ({
    dir,
  }) => {
    const path = await dialectSession(
      dir,
      'agents.jsonl',
      'openai-agents',
      items(
        { role: 'user', content: 'list the files' },
        { type: 'function_call', callId: 'c1', name: 'ls', arguments: '{}' },
        { type: 'function_call_result', callId: 'c1', name: 'ls', output: 'a.txt' },
      ),
    );
    const human = await runCli(['replay', path], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/dialect\s+openai-agents v1, estimator kimi-cli/);
    expect(human.stdout).not.toMatch(/not known here/);
    const bad = await dialectSession(
      dir,
      'bad-agents.jsonl',
      'openai-agents',
      items({ role: 'user', content: 'hi' }, { type: 'function_call', name: 'ls' }),
    );
    const result = await runCli(['verify', bad], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad-agents\.jsonl:3\b.*messages\[1\]/);
  });
});

describe('a session in the claude-code dialect (a Claude Agent SDK transcript)', () => {
  it('replay shows its dialect; an entry without a type is named by line and field', async ({
    dir,
  }) => {
    const path = await dialectSession(dir, 'transcript.jsonl', 'claude-code', [
      { type: 'user', uuid: 'u1', message: { role: 'user', content: 'hello' } },
      { type: 'assistant', uuid: 'a1', message: { role: 'assistant', content: 'hi there' } },
    ]);
    const human = await runCli(['replay', path], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/dialect\s+claude-code v1, estimator kimi-cli/);
    expect(human.stdout).not.toMatch(/not known here/);
    const bad = await dialectSession(dir, 'bad-transcript.jsonl', 'claude-code', [
      { type: 'user', uuid: 'u1' },
      { uuid: 'u2' },
    ]);
    const result = await runCli(['verify', bad], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad-transcript\.jsonl:3\b.*messages\[1\]\.type/);
  });
});
