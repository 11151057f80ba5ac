#!/usr/bin/env node
// Writes a `.d.cts` next to every `.d.ts` in the dist of each publishable package.
//
// The packages ship one JS build (ES modules), which Node >= 20.19 also loads through `require`.
// TypeScript, though, treats a `.d.ts` of a `"type": "module"` package as an ES module and
// refuses to let a CommonJS file import it under `module: node16` (TS1479), even from a one-line
// `.d.cts` re-export. So the `types` condition gives `require` a CommonJS copy of the
// declarations: the same text, relative imports pointing at the `.d.cts` files, and no
// declaration map (its positions would be off by the renamed specifiers).
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `'./x.js'` after `from`, `import(` or a bare `import` becomes `'./x.cjs'`. */
const RELATIVE = /(\b(?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*?)\.js\2/g;
const MAP_COMMENT = /\n?\/\/# sourceMappingURL=.*\s*$/;

/** An import statement (`import … from 'pkg';`) of a bare specifier, for `esmOnly` to judge. */
const BARE_IMPORT = /^(import\s[^;]*?\sfrom\s*)(['"])([^'"./][^'"]*)\2;/gm;

/**
 * `esmOnly(specifier)` says whether a package has ES-module types only (such as the Claude Agent
 * SDK): a CommonJS declaration file may import those only with `resolution-mode: 'import'`
 * (TS1541 otherwise). Packages that have CommonJS types keep the plain import, so a CommonJS
 * consumer sees one copy of their types.
 */
export function toCommonJsDeclarations(text, esmOnly = () => false) {
  const renamed = text.replace(MAP_COMMENT, '').replace(RELATIVE, '$1$2$3.cjs$2');
  const attributed = renamed.replace(BARE_IMPORT, (statement, head, quote, specifier) =>
    esmOnly(specifier)
      ? `${head}${quote}${specifier}${quote} with { 'resolution-mode': 'import' };`
      : statement,
  );
  return `${attributed}\n`;
}

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`). */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Whether the package `name`, as `packageDir` resolves it, has no CommonJS entry. */
async function isEsmOnly(packageDir, name) {
  for (let dir = packageDir; ; ) {
    const manifest = await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8').then(
      JSON.parse,
      () => undefined,
    );
    if (manifest !== undefined) {
      const root = manifest.exports?.['.'] ?? manifest.exports;
      const hasRequire = JSON.stringify(root ?? {}).includes('"require"');
      return manifest.type === 'module' && !hasRequire;
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function writeCommonJsTypes(packageDir) {
  const dist = join(packageDir, 'dist');
  if (!(await exists(dist))) return 0;
  let written = 0;
  const judged = new Map();
  for await (const file of files(dist)) {
    if (file.endsWith('.d.ts')) {
      const target = `${file.slice(0, -'.d.ts'.length)}.d.cts`;
      const text = await readFile(file, 'utf8');
      for (const [, , , specifier] of text.matchAll(BARE_IMPORT)) {
        const name = packageNameOf(specifier);
        if (!judged.has(name)) judged.set(name, await isEsmOnly(packageDir, name));
      }
      await writeFile(
        target,
        toCommonJsDeclarations(text, (specifier) => judged.get(packageNameOf(specifier)) === true),
      );
      written += 1;
    } else if (file.endsWith('.d.cts')) {
      // A declaration file tsc no longer emits leaves no CommonJS copy behind.
      if (!(await exists(`${file.slice(0, -'.d.cts'.length)}.d.ts`))) await rm(file);
    }
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const packages = join(root, 'packages');
  for (const name of await readdir(packages)) {
    const manifest = JSON.parse(await readFile(join(packages, name, 'package.json'), 'utf8'));
    if (manifest.private !== true) await writeCommonJsTypes(join(packages, name));
  }
}
