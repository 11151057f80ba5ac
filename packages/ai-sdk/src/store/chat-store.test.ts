import { join } from 'node:path';
import { hasCode } from '@contextlog/core';
import { readSessionLock } from '@contextlog/fs-adapter';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import type { UIMessage } from 'ai';
import { describe, expect, vi } from 'vitest';
import { chatFileName } from '../chat-id.js';
import { TEST_BACKENDS } from './backends.test-helper.js';
import { type ChatStore, openChatStore } from './chat-store.js';

const message = (role: 'user' | 'assistant', id: string, text: string): UIMessage => ({
  id,
  role,
  parts: [{ type: 'text', text }],
});
const user = (id: string, text: string) => message('user', id, text);
const assistant = (id: string, text: string) => message('assistant', id, text);

describe.each(TEST_BACKENDS)('openChatStore on $name', (backend) => {
  async function withStore(dir: string, run: (chats: ChatStore) => Promise<void>) {
    const { options, cleanup } = await backend.options(dir);
    const chats = await openChatStore(options);
    try {
      await run(chats);
    } finally {
      await chats.close();
      await cleanup();
    }
  }

  it('gives null for a chat never saved or deleted, [] for one saved empty', async ({ dir }) => {
    await withStore(dir, async (chats) => {
      expect(await chats.loadChat('never')).toBeNull();
      expect(await chats.listChats()).toEqual([]);
      expect(await chats.saveChat({ chatId: 'Empty/1', messages: [] })).toEqual({
        kind: 'unchanged',
      });
      expect(await chats.loadChat('Empty/1')).toEqual([]);
      expect((await chats.listChats()).map((chat) => chat.chatId)).toEqual(['Empty/1']);
      expect(await chats.deleteChat('Empty/1')).toBe(true);
      expect(await chats.loadChat('Empty/1')).toBeNull();
      expect(await chats.deleteChat('Empty/1')).toBe(false);
      expect(await chats.listChats()).toEqual([]);
    });
  });

  it('appends, replaces, and writes nothing for the same list', async ({ dir }) => {
    await withStore(dir, async (chats) => {
      const one = [user('u1', 'hi'), assistant('a1', 'hello')];
      expect(await chats.saveChat({ chatId: 'c', messages: one })).toEqual({ kind: 'append' });
      // The SDK sets keys to undefined: no change.
      const same = one.map((m) => ({ ...m, metadata: undefined }));
      expect(await chats.saveChat({ chatId: 'c', messages: same })).toEqual({ kind: 'unchanged' });
      const regenerated = [one[0] as UIMessage, assistant('a2', 'hello again')];
      expect(await chats.saveChat({ chatId: 'c', messages: regenerated })).toEqual({
        kind: 'replace',
      });
      expect(await chats.loadChat('c')).toEqual(regenerated);
    });
  });

  it('refuses a bad save of a new chat without a trace', async ({ dir }) => {
    await withStore(dir, async (chats) => {
      await expect(
        chats.saveChat({ chatId: 'c', messages: [user('', 'no id')] }),
      ).rejects.toMatchObject({ code: 'EMPTY_MESSAGE_ID' });
      await expect(
        chats.saveChat({ chatId: 'c', messages: [user('u1', 'x')], expected: [user('u0', 'y')] }),
      ).rejects.toMatchObject({ code: 'HISTORY_MISMATCH' });
      await expect(chats.saveChat({ chatId: '', messages: [] })).rejects.toMatchObject({
        code: 'INVALID_CHAT_ID',
      });
      expect(await chats.loadChat('c')).toBeNull();
      expect(await chats.listChats()).toEqual([]);
    });
  });

  it('keeps the first of two saves that read the same chat, refuses the other whole', async ({
    dir,
  }) => {
    await withStore(dir, async (chats) => {
      await chats.saveChat({ chatId: 'c', messages: [user('u1', 'hi'), assistant('a1', 'hello')] });
      for (const replace of [false, true]) {
        const read = (await chats.loadChat('c')) as UIMessage[];
        const keep = replace ? read.slice(0, -1) : read;
        const first = [...keep, user(`x${replace}`, 'one'), assistant(`xa${replace}`, 'reply one')];
        const second = [
          ...keep,
          user(`y${replace}`, 'two'),
          assistant(`ya${replace}`, 'reply two'),
        ];
        const results = await Promise.allSettled([
          chats.saveChat({ chatId: 'c', messages: first, expected: read }),
          chats.saveChat({ chatId: 'c', messages: second, expected: read }),
        ]);
        expect(results[0].status).toBe('fulfilled');
        expect(results[1].status).toBe('rejected');
        const error = (results[1] as PromiseRejectedResult).reason;
        expect(hasCode(error, 'HISTORY_MISMATCH')).toBe(true);
        expect(await chats.loadChat('c')).toEqual(first);
        // Without `expected` the save is planned against the chat as it is: last writer wins.
        expect(await chats.saveChat({ chatId: 'c', messages: first })).toEqual({
          kind: 'unchanged',
        });
      }
    });
  });

  it.skipIf(backend.name === 'files')(
    'keeps two stores on one table (two processes) from merging saves',
    async ({ dir }) => {
      const { options, cleanup } = await backend.options(dir);
      const one = await openChatStore(options);
      const two = await openChatStore(options);
      try {
        await one.saveChat({ chatId: 'c', messages: [user('u1', 'hi')] });
        const readOne = (await one.loadChat('c')) as UIMessage[];
        const readTwo = (await two.loadChat('c')) as UIMessage[];
        expect(readTwo).toEqual(readOne);
        const first = [...readOne, assistant('a1', 'from one')];
        await one.saveChat({ chatId: 'c', messages: first, expected: readOne });
        // Two's engine is behind: it sees one's save before planning, and refuses.
        await expect(
          two.saveChat({
            chatId: 'c',
            messages: [...readTwo, assistant('a2', 'from two')],
            expected: readTwo,
          }),
        ).rejects.toMatchObject({ code: 'HISTORY_MISMATCH' });
        expect(await two.loadChat('c')).toEqual(first);
        // Without `expected`, two plans against the chat as it is now (a replace of one's reply).
        const regenerated = [...readTwo, assistant('a3', 'regenerated by two')];
        expect(await two.saveChat({ chatId: 'c', messages: regenerated })).toEqual({
          kind: 'replace',
        });
        expect(await one.loadChat('c')).toEqual(regenerated);
        expect(await two.deleteChat('c')).toBe(true);
        expect(await one.loadChat('c')).toBeNull();
        await one.saveChat({ chatId: 'c', messages: [user('u9', 'again')] });
        expect(await two.loadChat('c')).toEqual([user('u9', 'again')]);
      } finally {
        await one.close();
        await two.close();
        await cleanup();
      }
    },
  );

  it('refuses every call once closed', async ({ dir }) => {
    const { options, cleanup } = await backend.options(dir);
    const chats = await openChatStore(options);
    await chats.saveChat({ chatId: 'c', messages: [user('u1', 'hi')] });
    await chats.close();
    await expect(chats.loadChat('c')).rejects.toMatchObject({ code: 'CHAT_STORE_CLOSED' });
    await expect(chats.listChats()).rejects.toMatchObject({ code: 'CHAT_STORE_CLOSED' });
    const again = await openChatStore(options);
    expect(await again.loadChat('c')).toEqual([user('u1', 'hi')]);
    await again.close();
    await cleanup();
  });

  it('closes idle chats past maxOpenChats and reopens them', async ({ dir }) => {
    const { options, cleanup } = await backend.options(dir);
    const chats = await openChatStore({ ...options, maxOpenChats: 2 });
    for (let n = 0; n < 5; n++) {
      await chats.saveChat({ chatId: `c${n}`, messages: [user(`u${n}`, `${n}`)] });
    }
    for (let n = 0; n < 5; n++) {
      expect(await chats.loadChat(`c${n}`)).toEqual([user(`u${n}`, `${n}`)]);
    }
    if (backend.name === 'files') {
      // Only the two most recently used chats still hold their file's writer lock.
      const locks = () =>
        Promise.all(
          [0, 1, 2, 3, 4].map(
            async (n) => (await readSessionLock(join(dir, chatFileName(`c${n}`))))?.alive === true,
          ),
        );
      // The closes run in each chat's queue, after the call that made the store too full.
      await vi.waitFor(async () =>
        expect(await locks()).toEqual([false, false, false, true, true]),
      );
    }
    await chats.close();
    await cleanup();
  });
});
