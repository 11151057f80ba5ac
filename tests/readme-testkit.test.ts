import { expect, it } from 'vitest';
import { tsBlockAfter } from './readme-block.js';

// The testkit's own tests run its README's example (packages/testkit/src/readme.test.ts); the root
// README shows the same example, so it must be that one, to the letter.
it("shows the testkit README's tested example in the root README", async () => {
  const section = '## Testing your agent with @contextlog/testkit';
  expect(await tsBlockAfter('../README.md', section)).toBe(
    await tsBlockAfter('../packages/testkit/README.md', section),
  );
});
