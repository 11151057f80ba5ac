import { join } from 'node:path';
import { createContext } from '@contextlog/core';
import { openFileStore } from '@contextlog/fs-adapter';
import { it as fileIt } from '@contextlog/fs-adapter/testing/vitest';
import { checkEngine, defineFuzzedDialect, fuzzRuns } from '@contextlog/testkit';
import { checkStore } from '@contextlog/testkit/vitest';
import { describe, it } from 'vitest';
import { arbUiMessage } from '../testing/ui-message-arbitrary.js';
import { aiSdkUiDialect } from './ai-sdk-ui-dialect.js';
import type { UiMessage } from './ui-message.js';

/** The `ai-sdk-ui` dialect as the testkit fuzzes it. */
const fuzzedUi = defineFuzzedDialect<UiMessage>({
  dialect: aiSdkUiDialect,
  arbMessage: () => arbUiMessage(),
  invalidMessages: [
    { id: 'm', role: 'tool', parts: [] },
    { id: 'm', role: 'user' },
    { id: 'm', role: 'user', parts: [{ text: 'no type' }] },
    { role: 'user', parts: [] },
    null,
  ],
});

describe('the testkit’s conformance checks on ai-sdk-ui sessions', () => {
  it('checkEngine: an engine of the dialect over a memory store', async () => {
    await checkEngine((store) => createContext<UiMessage>(store, { dialect: aiSdkUiDialect }), {
      dialect: fuzzedUi,
      numRuns: fuzzRuns(60),
    });
  });

  fileIt('checkEngine: an engine of the dialect over a session file', async ({ dir }) => {
    await checkEngine((store) => createContext<UiMessage>(store, { dialect: aiSdkUiDialect }), {
      dialect: fuzzedUi,
      numRuns: fuzzRuns(15),
      makeStore: async (runId) => openFileStore(join(dir, `${runId}.jsonl`)),
    });
  });
});

let files = 0;
checkStore(
  'a session file holding ai-sdk-ui messages',
  async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'contextlog-ai-sdk-store-'));
    const path = join(dir, `s${files++}.jsonl`);
    return {
      store: await openFileStore(path),
      reopen: () => openFileStore(path),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { dialects: [fuzzedUi] },
);
