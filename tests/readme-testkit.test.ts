import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

/** The ```ts block of `section` in a README. */
async function exampleOf(file: string, section: string): Promise<string> {
  const text = await readFile(new URL(file, import.meta.url), 'utf8');
  const after = text.slice(text.indexOf(section));
  const block = /```ts\n([\s\S]*?)```/.exec(after)?.[1];
  if (block === undefined) throw new Error(`${file}: no ts block after ${section}`);
  return block;
}

// The testkit's own tests run its README's example (packages/testkit/src/readme.test.ts); the root
// README shows the same example, so it must be that one, to the letter.
it("shows the testkit README's tested example in the root README", async () => {
  const section = '## Testing your agent with @contextlog/testkit';
  expect(await exampleOf('../README.md', section)).toBe(
    await exampleOf('../packages/testkit/README.md', section),
  );
});
