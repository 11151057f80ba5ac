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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `'./x.js'` after `from`, `import(` or a bare `import` becomes `'./x.cjs'`. */
const RELATIVE = /(\b(?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]*?)\.js\2/g;
const MAP_COMMENT = /\n?\/\/# sourceMappingURL=.*\s*$/;

export function toCommonJsDeclarations(text) {
  return `${text.replace(MAP_COMMENT, '').replace(RELATIVE, '$1$2$3.cjs$2')}\n`;
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
  for await (const file of files(dist)) {
    if (file.endsWith('.d.ts')) {
      const target = `${file.slice(0, -'.d.ts'.length)}.d.cts`;
      await writeFile(target, toCommonJsDeclarations(await readFile(file, 'utf8')));
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
