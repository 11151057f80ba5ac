#!/usr/bin/env node
// Packs every publishable package (packages/* not marked private) into one folder, as it would
// be published, and writes next to the tarballs what another project needs to install them
// while they are not on a registry:
// - packages.json: each package's name, version, tarball, export subpaths, bins, and the
//   @contextlog packages it needs (itself included), so npm can be given them in one command;
// - pnpm-overrides.yaml: an `overrides:` block sending every @contextlog name to its tarball,
//   for the project's pnpm-workspace.yaml (pnpm otherwise asks the registry for each sibling).
// Usage: node scripts/pack-all.mjs [--out DIR] (default: packed/ at the repository root).
// Expects built packages (`pnpm build`); `pnpm pack:all` builds first.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeCommonJsTypes } from './cjs-types.mjs';

const run = promisify(execFile);
// The pnpm running this script (`pnpm pack:all`, or `npx pnpm@… test`), which need not be on PATH.
const pnpm = /pnpm[^/\\]*$/.test(process.env.npm_execpath ?? '')
  ? process.env.npm_execpath
  : 'pnpm';
const root = fileURLToPath(new URL('..', import.meta.url));

/** The non-private packages under packages/, with their directory and manifest. */
export async function publishablePackages() {
  const dir = join(root, 'packages');
  const found = [];
  for (const name of (await readdir(dir)).sort()) {
    const manifest = JSON.parse(await readFile(join(dir, name, 'package.json'), 'utf8'));
    if (manifest.private !== true) found.push({ dir: join(dir, name), manifest });
  }
  return found;
}

/** `@contextlog/cli` -> `contextlog-cli-0.1.0.tgz`, the name `pnpm pack` gives. */
function tarballName({ name, version }) {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** The package's own name and every publishable package it needs at run time, transitively. */
function closure(name, byName) {
  const seen = new Set();
  const visit = (current) => {
    if (seen.has(current)) return;
    seen.add(current);
    const { manifest } = byName.get(current);
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      if (byName.has(dependency)) visit(dependency);
    }
  };
  visit(name);
  return [...seen].sort();
}

export async function packAll(out) {
  const packages = await publishablePackages();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await Promise.all(packages.map(({ dir }) => writeCommonJsTypes(dir)));
  // One after another: parallel `pnpm pack`s compete for the two cores and gain nothing.
  for (const { dir } of packages) {
    const command = /\.[cm]?js$/.test(pnpm) ? [process.execPath, pnpm] : [pnpm];
    await run(command[0], [...command.slice(1), 'pack', '--pack-destination', out], { cwd: dir });
  }
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const listing = packages.map(({ manifest }) => ({
    name: manifest.name,
    version: manifest.version,
    tarball: join(out, tarballName(manifest)),
    exports: Object.keys(manifest.exports ?? {}),
    bin: Object.keys(manifest.bin ?? {}),
    needs: closure(manifest.name, byName),
  }));
  await writeFile(join(out, 'packages.json'), `${JSON.stringify(listing, null, 2)}\n`);
  const overrides = listing.map((p) => `  '${p.name}': file:${p.tarball}`).join('\n');
  await writeFile(join(out, 'pnpm-overrides.yaml'), `overrides:\n${overrides}\n`);
  return listing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--out');
  const out = resolve(flag === -1 ? join(root, 'packed') : (process.argv[flag + 1] ?? 'packed'));
  const listing = await packAll(out);
  for (const p of listing) console.log(`${p.name}@${p.version}  ${p.tarball}`);
  console.log(`\n${listing.length} tarballs in ${out}; see the README's "Install" section.`);
}
