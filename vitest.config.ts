import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so one module instance of each package is shared by all
    // tests (error classes compare by identity) and no build is needed between edits.
    alias: [
      { find: /^@contextlog\/core$/, replacement: src('core') },
      { find: /^@contextlog\/core\/store$/, replacement: src('core', 'store-api') },
      { find: /^@contextlog\/fs-adapter$/, replacement: src('fs-adapter') },
      { find: /^@contextlog\/fs-adapter\/formats$/, replacement: src('fs-adapter', 'formats') },
      {
        find: /^@contextlog\/fs-adapter\/testing$/,
        replacement: src('fs-adapter', 'testing/index'),
      },
      {
        find: /^@contextlog\/fs-adapter\/testing\/vitest$/,
        replacement: src('fs-adapter', 'testing/vitest'),
      },
      { find: /^@contextlog\/kimi$/, replacement: src('kimi') },
      { find: /^@contextlog\/ai-sdk$/, replacement: src('ai-sdk') },
      { find: /^@contextlog\/ai-sdk\/testing$/, replacement: src('ai-sdk', 'testing/index') },
      { find: /^@contextlog\/claude-agent-sdk$/, replacement: src('claude-agent-sdk') },
      {
        find: /^@contextlog\/claude-agent-sdk\/dialect$/,
        replacement: src('claude-agent-sdk', 'dialect/index'),
      },
      {
        find: /^@contextlog\/claude-agent-sdk\/testing$/,
        replacement: src('claude-agent-sdk', 'testing/index'),
      },
      { find: /^@contextlog\/pg-adapter$/, replacement: src('pg-adapter') },
      { find: /^@contextlog\/testkit$/, replacement: src('testkit') },
      { find: /^@contextlog\/testkit\/vitest$/, replacement: src('testkit', 'vitest') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
