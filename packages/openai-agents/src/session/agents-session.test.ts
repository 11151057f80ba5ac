import { join } from 'node:path';
import { codeOf } from '@contextlog/core';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import type { AgentInputItem } from '@openai/agents-core';
import { describe, expect } from 'vitest';
import { openAgentsSession } from './agents-session.js';

const user = (content: string): AgentInputItem => ({ type: 'message', role: 'user', content });
const call = (callId: string, args: string): AgentInputItem => ({
  type: 'function_call',
  callId,
  name: 'lookup',
  arguments: args,
});

const codeOfRejection = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => codeOf(error),
  );

describe('openAgentsSession', () => {
  it('names its session by the file, or as told', async ({ dir }) => {
    const a = await openAgentsSession(join(dir, 'user-7.jsonl'));
    const b = await openAgentsSession(join(dir, 'b.jsonl'), { sessionId: 'conversation-b' });
    expect(await a.getSessionId()).toBe('user-7');
    expect(await b.getSessionId()).toBe('conversation-b');
    await a.close();
    await b.close();
  });

  it('refuses a PostgreSQL target without a session id, opening nothing', async () => {
    const client = {
      kind: 'pg',
      connect: async () => ({}),
      listen: async () => ({}),
      end: async () => {},
    };
    await expect(codeOfRejection(openAgentsSession({ client }))).resolves.toBe('VALIDATION');
  });

  it('refuses bad transactions with a typed error, changing nothing and recording no id', async ({
    dir,
  }) => {
    const session = await openAgentsSession(join(dir, 's.jsonl'));
    await session.addItems([user('a')]);
    const bad: unknown[] = [
      { operationId: '', transaction: { type: 'append_items', items: [] } },
      { operationId: 'op', transaction: { type: 'append_items', items: [{ type: 'bogus' }] } },
      { operationId: 'op', transaction: { type: 'append_items', items: [user('x')], extra: 1 } },
      { operationId: 'op', transaction: { type: 'drop_items' } },
      {
        operationId: 'op',
        transaction: {
          type: 'append_items',
          items: [{ ...user('x'), providerData: { at: new Date() } }],
        },
      },
    ];
    for (const args of bad) {
      await expect(codeOfRejection(session.applyHistoryTransaction(args as never))).resolves.toBe(
        'INVALID_HISTORY_TRANSACTION',
      );
    }
    // The id was not recorded: the same id with a valid transaction applies.
    await session.applyHistoryTransaction({
      operationId: 'op',
      transaction: { type: 'append_items', items: [user('b')] },
    });
    expect(await session.getItems()).toEqual([user('a'), user('b')]);
    await expect(
      codeOfRejection(
        session.applyHistoryTransaction({
          operationId: 'op',
          transaction: { type: 'append_items', items: [user('c')] },
        }),
      ),
    ).resolves.toBe('OPERATION_CONFLICT');
    await expect(
      codeOfRejection(
        session.applyHistoryTransaction({
          operationId: 'other',
          transaction: { type: 'replace_suffix', expectedSuffix: [user('x')], replacement: [] },
        }),
      ),
    ).resolves.toBe('HISTORY_MISMATCH');
    expect(await session.getItems()).toEqual([user('a'), user('b')]);
    await session.close();
  });

  it('a replace_suffix retried after the history grew is a no-op, also after a restart', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const args = {
      operationId: 'turn-1',
      transaction: {
        type: 'replace_suffix' as const,
        expectedSuffix: [user('draft')],
        replacement: [user('final')],
      },
    };
    const session = await openAgentsSession(path);
    await session.addItems([user('draft')]);
    await session.applyHistoryTransaction(args);
    await session.addItems([user('later')]);
    await session.close();
    const reopened = await openAgentsSession(path);
    await reopened.applyHistoryTransaction(args);
    expect(await reopened.getItems()).toEqual([user('final'), user('later')]);
    await reopened.close();
  });

  it('rewrites function calls with the SDK mutation, and refuses mutations it does not know', async ({
    dir,
  }) => {
    const session = await openAgentsSession(join(dir, 's.jsonl'));
    await session.addItems([user('a'), call('c1', '{}'), user('b'), call('c1', '{"dup":1}')]);
    await session.applyHistoryMutations({
      mutations: [
        {
          type: 'replace_function_call',
          callId: 'c1',
          replacement: call('c1', '{"x":1}') as never,
        },
      ],
    });
    expect(await session.getItems()).toEqual([user('a'), call('c1', '{"x":1}'), user('b')]);
    await expect(
      codeOfRejection(session.applyHistoryMutations({ mutations: [{ type: 'drop' } as never] })),
    ).resolves.toBe('INVALID_HISTORY_MUTATION');
    expect(await session.getItems()).toHaveLength(3);
    await session.close();
  });

  it('replaces the history with a compaction, keeping operation ids', async ({ dir }) => {
    const session = await openAgentsSession(join(dir, 's.jsonl'));
    const args = {
      operationId: 'op',
      transaction: { type: 'append_items' as const, items: [user('a')] },
    };
    await session.applyHistoryTransaction(args);
    const compaction: AgentInputItem = { type: 'compaction', encrypted_content: 'opaque' };
    await session.replaceHistoryWithCompaction([compaction, user('kept')]);
    await session.applyHistoryTransaction(args);
    expect(await session.getItems()).toEqual([compaction, user('kept')]);
    await session.clearSession();
    await session.applyHistoryTransaction(args); // forgotten by the clear: applied again
    expect(await session.getItems()).toEqual([user('a')]);
    await session.close();
  });

  it('copies what it is given: the caller may change its items afterwards', async ({ dir }) => {
    const session = await openAgentsSession(join(dir, 's.jsonl'));
    const item = { type: 'message', role: 'user', content: 'a' } as AgentInputItem & {
      content: string;
    };
    await session.addItems([item]);
    item.content = 'changed';
    expect(await session.getItems()).toEqual([user('a')]);
    const [read] = (await session.getItems()) as Array<{ content: string }>;
    if (read) read.content = 'changed too';
    expect(await session.getItems()).toEqual([user('a')]);
    await session.close();
  });

  it('refuses every call once closed', async ({ dir }) => {
    const session = await openAgentsSession(join(dir, 's.jsonl'));
    await session.close();
    await session.close();
    await expect(codeOfRejection(session.getItems())).resolves.toBe('AGENTS_SESSION_CLOSED');
    await expect(codeOfRejection(session.addItems([user('a')]))).resolves.toBe(
      'AGENTS_SESSION_CLOSED',
    );
  });
});
