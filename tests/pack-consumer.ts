// The files of a scratch project that uses the packed packages: one script per module system
// (every export subpath of every package, loaded both ways) and TypeScript files compiled under
// the module settings users have. Subpaths come from the packed manifests, so a package added
// to packages/ is covered without editing this file.

/**
 * Subpaths made for vitest's test files (fixtures that register with the running suite when
 * loaded, like `@contextlog/testkit/vitest`): they load only inside a vitest run, and vitest
 * itself has no CommonJS types, so they are checked in a vitest run and in ES module TypeScript.
 */
export function forVitestOnly(spec: string): boolean {
  return spec.endsWith('/vitest');
}

/** A vitest test file, run in the scratch project, that loads the vitest-only subpaths. */
export function vitestCheck(specs: readonly string[]): string {
  const imports = specs.map((spec, i) => `import * as m${i} from '${spec}';`);
  return `${imports.join('\n')}
import { expect, it } from 'vitest';
it('loads every vitest-only subpath', () => {
  for (const m of [${specs.map((_, i) => `m${i}`).join(', ')}]) expect(Object.keys(m).length).toBeGreaterThan(0);
});
`;
}

/**
 * ES modules: import every subpath, `require` it too (Node >= 20.19 loads ES modules through
 * `require`), and check both give the same objects: one build, so one copy of every class.
 */
export const ESM_CHECK = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const report = {};
for (const spec of JSON.parse(process.argv[2])) {
  const esm = await import(spec);
  const cjs = require(spec);
  const names = Object.keys(esm);
  const same = names.every((name) => cjs[name] === esm[name]);
  report[spec] = { exports: names.length > 0, sameAsRequire: same };
}
console.log(JSON.stringify(report));
`;

/**
 * Plain CommonJS: \`require\` every subpath, then use the engine and a session file, and check an
 * error from one package is an instance of core's class as \`require\` gave it.
 */
export const CJS_CHECK = `
const { join } = require('node:path');
const report = {};
for (const spec of JSON.parse(process.argv[2])) {
  report[spec] = Object.keys(require(spec)).length > 0;
}
const { ContextlogError, createContext, hasCode, openMemoryStore } = require('@contextlog/core');
const { openFileSession, readSessionFile } = require('@contextlog/fs-adapter');
(async () => {
  const engine = await createContext(await openMemoryStore());
  await engine.appendMessages({ role: 'user', content: 'hello' });
  const file = await openFileSession(join(__dirname, 'cjs-session.jsonl'));
  await file.recordUsage(7);
  await file.close();
  // A directory where a session file should be: fs-adapter's error, core's class.
  const missing = await readSessionFile(__dirname).catch((e) => e);
  console.log(JSON.stringify({
    report,
    messages: engine.state.messages.length,
    coreClass: missing instanceof ContextlogError,
    code: hasCode(missing, 'NOT_A_FILE') ? missing.code : String(missing),
  }));
})();
`;

/** `import * as` of every subpath, then typed uses of the main API (and its error codes). */
export function typedConsumer(specs: readonly string[]): string {
  const imports = specs.map((spec, i) => `import * as m${i} from '${spec}';`);
  return `${imports.join('\n')}
import { type ContextEngine, type ContextState, createContext, hasCode, openMemoryStore } from '@contextlog/core';
import { type AppendOptions, checkBatchContinuity } from '@contextlog/core/store';
import { openFileSession } from '@contextlog/fs-adapter';
import { kimiFormat } from '@contextlog/kimi';
import { createPgClient } from '@contextlog/pg-adapter';

export const modules: readonly object[] = [${specs.map((_, i) => `m${i}`).join(', ')}];
export async function run(): Promise<number> {
  const options: AppendOptions = { expectedSeq: checkBatchContinuity([], 0) };
  const engine: ContextEngine = await createContext(await openMemoryStore());
  const state: ContextState = engine.state;
  void options;
  return state.tokenCount;
}
// An adapter's codes join core's table through its published types.
const error: unknown = new Error('x');
export const codes: boolean[] = [
  hasCode(error, 'SESSION_LOCKED'),
  hasCode(error, 'KIMI_EXPORT_UNSUPPORTED'),
  hasCode(error, 'PG_DRIVER_MISSING'),
];
// @ts-expect-error a misspelt code does not compile
hasCode(error, 'SESSION_LOKED');
export const used = [openFileSession, kimiFormat, createPgClient];
`;
}

const STRICT = {
  target: 'ES2023',
  strict: true,
  noEmit: true,
  // Checks the published declarations too: they must compile without the types of optional
  // peers (pg, PGlite) that the project did not install.
  skipLibCheck: false,
  // A Node library's users have Node's types (the fs-adapter's API names Buffer).
  types: ['node'],
};

/** The TypeScript projects to compile: name, tsconfig, and the files with their text. */
export function typescriptProjects(specs: readonly string[]) {
  const source = typedConsumer(specs);
  const commonJs = typedConsumer(specs.filter((spec) => !forVitestOnly(spec)));
  return [
    {
      name: 'node16',
      tsconfig: {
        compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
        files: ['consumer.cts', 'consumer.mts'],
      },
      files: { 'consumer.cts': commonJs, 'consumer.mts': source },
    },
    {
      name: 'bundler',
      tsconfig: {
        compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler' },
        files: ['bundled.ts'],
      },
      files: { 'bundled.ts': source },
    },
  ];
}
