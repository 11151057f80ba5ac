import { it } from '@contextlog/fs-adapter/testing/vitest';
import { createPgliteClient } from '@contextlog/pg-adapter';
import { convertToModelMessages, type UIMessage, validateUIMessages } from 'ai';
import { beforeAll, describe, expect } from 'vitest';
import { jsonEqual } from '../save/json-equal.js';
import { runToolChat, toolChatTools } from '../sdk/tool-chat.test-helper.js';
import { PG_URL } from './backends.test-helper.js';
import { openChatStore } from './chat-store.js';
import {
  buildPackage,
  type ChildTarget,
  postgresTarget,
  runScript,
} from './child-process.test-helper.js';

// Chats made by the real SDK (streamText and its mock model, the chat client over SSE; see
// tool-chat.test-helper.ts), saved through the store at each end of the UI message stream, then
// loaded by another process and handed to the SDK's own validateUIMessages and
// convertToModelMessages there.

beforeAll(buildPackage, 120_000);

const tools = toolChatTools(() => {});
type ValidateTools = NonNullable<Parameters<typeof validateUIMessages<UIMessage>>[0]['tools']>;

interface Loaded {
  readonly messages: UIMessage[] | null;
  readonly modelMessages: unknown[] | null;
}

/** `release`: lets go of what the parent holds, so that the child can open the store. */
type Target = Omit<ChildTarget, 'cleanup'> & {
  release(): Promise<void>;
  cleanup?(): Promise<void>;
};

const targets: Record<string, (dir: string) => Promise<Target>> = {
  files: async (dir) => ({ options: { dir }, spec: ['dir', dir], release: async () => {} }),
  pglite: async (dir) => {
    const client = await createPgliteClient(dir);
    return { options: { client }, spec: ['pglite', dir], release: () => client.end() };
  },
};
if (PG_URL !== undefined) {
  const url = PG_URL;
  targets.postgres = async () => ({ ...postgresTarget(url, 'fresh'), release: async () => {} });
}

describe.each(Object.keys(targets))(
  'chats saved at onEnd, loaded in a fresh process (%s)',
  (name) => {
    it('are the messages the SDK ended with, and the SDK reads them back', async ({ dir }) => {
      const target = await (targets[name] as (dir: string) => Promise<Target>)(dir);
      const chats = await openChatStore(target.options);
      const saves: string[] = [];
      // Two chats at once: saves of different chats interleave, each chat's in order.
      const runs = await Promise.all(
        ['chat-A', 'chat/b 🌦'].map((chatId) =>
          runToolChat({
            chatId,
            onEnd: async (end) => {
              const { kind } = await chats.saveChat({ chatId: end.chatId, messages: end.messages });
              saves.push(`${end.chatId} ${kind}`);
            },
          }),
        ),
      );
      await chats.close();
      await target.release();
      // The first request appends, the continuation replaces the message the client added a tool
      // output to, the regenerate replaces the last reply.
      expect(saves.filter((save) => save.startsWith('chat-A '))).toEqual([
        'chat-A append',
        'chat-A append',
        'chat-A replace',
        'chat-A replace',
      ]);
      for (const [index, chatId] of ['chat-A', 'chat/b 🌦'].entries()) {
        const run = runs[index];
        const last = run?.ends.at(-1)?.messages as UIMessage[];
        const loaded = JSON.parse(
          await runScript('load-chat.mjs', [chatId, ...target.spec]),
        ) as Loaded;
        expect(loaded.messages).not.toBeNull();
        expect(loaded.messages?.map((m) => m.id)).toEqual(last.map((m) => m.id));
        expect(jsonEqual(loaded.messages, last)).toBe(true);
        // What the client showed at its end is the same chat.
        expect(jsonEqual(loaded.messages, run?.clientViews.at(-1))).toBe(true);
        const parts = new Set(loaded.messages?.flatMap((m) => m.parts.map((p) => p.type)));
        // The regenerate replaced the reply with the client's tool: the first one's parts remain.
        for (const type of ['reasoning', 'tool-weather', 'data-weather', 'source-url', 'file']) {
          expect(parts).toContain(type);
        }
        // With the application's tools too, here.
        const validated = await validateUIMessages({
          messages: loaded.messages,
          tools: tools as ValidateTools,
        });
        expect(loaded.modelMessages).toEqual(
          JSON.parse(JSON.stringify(await convertToModelMessages(validated, { tools }))),
        );
      }
      expect(JSON.parse(await runScript('load-chat.mjs', ['never', ...target.spec]))).toEqual({
        messages: null,
        modelMessages: null,
      });
      await target.cleanup?.();
    }, 120_000);
  },
);
