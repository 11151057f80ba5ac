import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The README's example suite runs as src/readme-example.test.ts. This test keeps the two the same
// code: the README block must equal that file, imports aside (the file imports the package by
// relative paths, and biome orders them differently), so the README cannot drift from what runs.

const SECTION = '## Testing your agent with @contextlog/testkit';

/** The package names the example file imports as relative modules. */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  './index.js': '@contextlog/testkit',
  './vitest.js': '@contextlog/testkit/vitest',
};

/** The first ```ts block of the README's section, as a reader sees it. */
async function readmeBlock(): Promise<string> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(SECTION);
  if (start === -1) throw new Error(`the README has no section "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(start, end === -1 ? undefined : end));
  if (match?.[1] === undefined) throw new Error(`no ts block in "${SECTION}"`);
  return match[1];
}

interface Split {
  /** Each imported binding as `module name` (`type ` marks type-only ones), sorted. */
  readonly imports: string[];
  /** Everything after the imports, exactly. */
  readonly body: string;
}

/** Splits a module's leading comments and imports from the rest. */
function splitImports(source: string): Split {
  let rest = source.replace(/^(?:\/\/.*\n|\s*\n)*/, '');
  const imports: string[] = [];
  for (;;) {
    const match = /^import (?:\{([^}]*)\}|(\w+)) from '([^']+)';\n\s*/.exec(rest);
    if (match === null) break;
    const [whole, named, defaultName, from] = match;
    const module = PACKAGE_OF[from as string] ?? (from as string);
    const names = defaultName === undefined ? (named as string).split(',') : [defaultName];
    for (const name of names.map((n) => n.trim().replace(/\s+/g, ' ')).filter(Boolean)) {
      imports.push(`${module} ${name}`);
    }
    rest = rest.slice(whole.length);
  }
  return { imports: imports.sort(), body: rest.trimEnd() };
}

describe('the README example', () => {
  it('is the code src/readme-example.test.ts runs', async () => {
    const readme = splitImports(await readmeBlock());
    const runs = splitImports(
      await readFile(new URL('./readme-example.test.ts', import.meta.url), 'utf8'),
    );
    // Guard against a parse that found nothing: the example imports from all three packages.
    expect(readme.imports).toContain('@contextlog/testkit checkEngine');
    expect(readme.imports).toContain('@contextlog/testkit/vitest checkStore');
    expect(readme.body).toMatch(/^\/\/ --- Your agent code/);
    expect(readme.imports).toEqual(runs.imports);
    expect(readme.body).toBe(runs.body);
  });

  it('splits imports as the comparison needs', () => {
    const split = splitImports(
      "// note\nimport { b, type A } from './index.js';\nimport fc from 'fast-check';\n\nconst x = 1;\n",
    );
    expect(split.imports).toEqual([
      '@contextlog/testkit b',
      '@contextlog/testkit type A',
      'fast-check fc',
    ]);
    expect(split.body).toBe('const x = 1;');
  });
});
