import { execFile } from 'node:child_process';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const published = [
  'core',
  'fs-adapter',
  'kimi',
  'ai-sdk',
  'openai-agents',
  'testkit',
  'pg-adapter',
  'cli',
];

/**
 * Another project must be able to depend on the packages: pack them as they would be published,
 * install the tarballs with npm into a scratch project outside the workspace, and use them there
 * (ESM imports, the types through the exports maps, the `contextlog` bin).
 */
describe('packed packages in a project outside the workspace', () => {
  const scratch = sharedTempDir();

  beforeAll(async () => {
    const tarballs = join(scratch.path, 'tarballs');
    for (const name of published) {
      await run('pnpm', ['pack', '--pack-destination', tarballs], {
        cwd: join(root, 'packages', name),
      });
    }
    const files = (await readdir(tarballs)).map((file) => join(tarballs, file));
    expect(files).toHaveLength(published.length);
    const app = join(scratch.path, 'app');
    await run('mkdir', ['-p', app]);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...files,
        'fast-check@4',
        '@types/node@20',
        // The SDK @contextlog/openai-agents adapts, at the version its tests pin.
        '@openai/agents-core@0.20.0',
      ],
      {
        cwd: app,
        timeout: 240_000,
      },
    );
  }, 300_000);

  it('imports and runs the engine, a session file and the testkit', async () => {
    const app = join(scratch.path, 'app');
    await writeFile(
      join(app, 'main.js'),
      `
import { createContext, openMemoryStore } from '@contextlog/core';
import { parseStoredEvent } from '@contextlog/core/store';
import { openFileSession, readSessionFile } from '@contextlog/fs-adapter';
import { expectReplayEqualsLive } from '@contextlog/testkit';
import { openPgStore } from '@contextlog/pg-adapter';
import { aiSdkUiDialect, encodeChatId, planSave } from '@contextlog/ai-sdk';
import { arbUiMessage } from '@contextlog/ai-sdk/testing';
const file = new URL('./session.jsonl', import.meta.url).pathname;
const engine = await openFileSession(file);
await engine.setSystemPrompt('You are a test.');
await Promise.all([engine.appendMessages({ role: 'user', content: 'hello' }), engine.checkpoint({ addUserMessage: true }), engine.recordUsage(42)]);
const live = JSON.stringify(engine.state);
await engine.close();
const { state } = await readSessionFile(file);
const memory = await openMemoryStore();
const other = await createContext(memory);
await other.appendMessages({ role: 'user', content: 'x' });
await expectReplayEqualsLive(other, memory);
const parsed = parseStoredEvent({ seq: 1, type: 'context.cleared', v: 1, at: 'x', data: {} });
const chat = [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }];
const ai = [aiSdkUiDialect.name, encodeChatId('userA'), planSave([], chat).kind, typeof arbUiMessage];
console.log(JSON.stringify({ equal: JSON.stringify(state) === live, messages: state.messages.length, pg: typeof openPgStore, seq: parsed.seq, ai }));
`,
    );
    const { stdout } = await run('node', ['main.js'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({
      equal: true,
      messages: 2,
      pg: 'function',
      seq: 1,
      ai: ['ai-sdk-ui', 'user_a', 'append', 'function'],
    });

    const cli = await run(
      join(app, 'node_modules', '.bin', 'contextlog'),
      ['replay', 'session.jsonl', '--json'],
      {
        cwd: app,
      },
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ format: 'contextlog', tokenCount: 42, seq: 4 });
  }, 60_000);

  it('runs the openai-agents README tour beside the SDK', async () => {
    const app = join(scratch.path, 'app');
    // The tour as compiled in the workspace (examples are left out of the tarball).
    await copyFile(
      join(root, 'packages', 'openai-agents', 'dist', 'readme-tour.example.js'),
      join(app, 'agents-tour.js'),
    );
    const { stdout } = await run('node', ['agents-tour.js'], { cwd: app });
    expect(stdout).toContain('You asked about the weather in Paris.');
    await writeFile(
      join(app, 'agents-entries.js'),
      `
import { openAiAgentsDialect } from '@contextlog/openai-agents/dialect';
import { arbAgentItem } from '@contextlog/openai-agents/testing';
console.log(JSON.stringify([openAiAgentsDialect.name, typeof arbAgentItem]));
`,
    );
    const entries = await run('node', ['agents-entries.js'], { cwd: app });
    expect(JSON.parse(entries.stdout)).toEqual(['openai-agents', 'function']);
  }, 60_000);

  it('gives TypeScript users the types through the exports maps', async () => {
    const app = join(scratch.path, 'app');
    await writeFile(
      join(app, 'typed.ts'),
      `
import { type ContextEngine, type ContextState, createContext, hasCode, openMemoryStore } from '@contextlog/core';
import { type AppendOptions, checkBatchContinuity } from '@contextlog/core/store';
import { openFileSession } from '@contextlog/fs-adapter';
import { kimiFormat } from '@contextlog/kimi';
import { type SavePlan, type UiMessage, planSave } from '@contextlog/ai-sdk';
import { type AgentsSession, openAgentsSession } from '@contextlog/openai-agents';
import { arbMessage } from '@contextlog/testkit';
const options: AppendOptions = { expectedSeq: checkBatchContinuity([], 0) };
void options;
const engine: ContextEngine = await createContext(await openMemoryStore());
const state: ContextState = engine.state;
const count: number = state.tokenCount;
// An adapter's codes join core's table through its published types.
const error: unknown = new Error('x');
const codes: boolean[] = [hasCode(error, 'SESSION_LOCKED'), hasCode(error, 'KIMI_EXPORT_UNSUPPORTED'), hasCode(error, 'EMPTY_MESSAGE_ID'), hasCode(error, 'INVALID_HISTORY_TRANSACTION')];
const session: Promise<AgentsSession> = openAgentsSession('s.jsonl');
const plan: SavePlan<UiMessage> = planSave<UiMessage>([], []);
// @ts-expect-error a misspelt code does not compile
hasCode(error, 'SESSION_LOKED');
void openFileSession; void arbMessage; void session; void count; void codes; void kimiFormat; void plan;
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          // A Node library's users have Node's types (the fs-adapter's API names Buffer).
          types: ['node'],
        },
        files: ['typed.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    await expect(run(tsc, ['-p', app])).resolves.toBeDefined();
  }, 60_000);
});
