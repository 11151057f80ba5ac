import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@contextlog/core';
import * as fsAdapter from '@contextlog/fs-adapter';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { expect } from 'vitest';
import { tsBlockAfter } from './readme-block.js';

const modules: Record<string, unknown> = {
  '@contextlog/core': core,
  '@contextlog/fs-adapter': fsAdapter,
  'node:fs/promises': fsPromises,
};

it("runs the README's 5-minute tour as written", async ({ dir }) => {
  const source = (await tsBlockAfter('../README.md', '## A 5-minute tour'))
    .replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_, names: string, from: string) => {
      if (!(from in modules)) throw new Error(`the tour imports ${from}`);
      return `const {${names}} = modules[${JSON.stringify(from)}];`;
    })
    .replaceAll("'sessions", `'${dir}/sessions`);
  const logged: unknown[][] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const tour = new AsyncFunction('modules', 'console', `${source}\nreturn { state, diagnostics };`);
  const result = (await tour(modules, { log: (...values: unknown[]) => logged.push(values) })) as {
    state: core.ContextState;
    diagnostics: readonly unknown[];
  };
  expect(result.diagnostics).toEqual([]);
  expect(result.state.systemPrompt).toBe('You are a coding agent.');
  expect(result.state.messages).toEqual([
    { role: 'user', content: 'Summary of the work so far: …' },
  ]);
  expect(result.state.tokenCount).toBe(300);
  expect(logged.length).toBeGreaterThan(1);
  const fork = await fsAdapter.readSessionFile(join(dir, 'sessions', 'abc-try-2.jsonl'));
  expect(fork.state.messages).toEqual(result.state.messages);
});
