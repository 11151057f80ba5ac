// What a packed package must hold, and nothing more: checks on an unpacked tarball that return
// the problems found (an empty list for a good package), so one assertion shows them all.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';

/** A package.json as packed (workspace: ranges already replaced). */
export interface PackedManifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly engines?: { readonly node?: string };
  readonly exports?: Record<string, unknown>;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly devDependencies?: Record<string, string>;
}

export const NODE_RANGE = '>=20.19';

/** Every file under `dir`, relative to it, with `/` separators. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/**
 * One JS build for `import` and `require` (Node >= 20.19 requires ES modules), and types for
 * each: a CommonJS copy (`.d.cts`) for `require`, since TypeScript will not let a CommonJS file
 * import an ES module's `.d.ts`.
 */
export function exportsProblems(manifest: PackedManifest): string[] {
  const problems: string[] = [];
  if (manifest.license !== 'MIT') problems.push(`license is ${manifest.license}, not MIT`);
  if (manifest.engines?.node !== NODE_RANGE) {
    problems.push(`engines.node is ${manifest.engines?.node}, not ${NODE_RANGE}`);
  }
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    const { import: esm, default: fallback } = entry as Record<string, unknown>;
    const expected = {
      types: {
        require: String(esm).replace(/\.js$/, '.d.cts'),
        default: String(esm).replace(/\.js$/, '.d.ts'),
      },
      import: esm,
      default: esm,
    };
    if (
      typeof esm !== 'string' ||
      fallback !== esm ||
      JSON.stringify(entry) !== JSON.stringify(expected)
    ) {
      problems.push(
        `exports["${subpath}"] is ${JSON.stringify(entry)}; expected ${JSON.stringify(expected)} (types first, one JS file for import and default)`,
      );
    }
  }
  for (const [field, ranges] of Object.entries({
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies,
  })) {
    for (const [name, range] of Object.entries(ranges ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${field}.${name} is still ${range}`);
    }
  }
  return problems;
}

const ALLOWED = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|d\.cts|map)|src\/.+\.ts)$/;
const TEST_ONLY = /\.(test|test-helper|example)\./;

/** Files a user does not need, and the files a user needs that are missing. */
export function fileProblems(manifest: PackedManifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    if (!ALLOWED.test(file)) problems.push(`ships ${file} (not dist, src, README or LICENSE)`);
    if (TEST_ONLY.test(file)) problems.push(`ships ${file}, which only tests use`);
  }
  const shipped = new Set(files);
  for (const needed of ['LICENSE', 'README.md']) {
    if (!shipped.has(needed)) problems.push(`has no ${needed} (copy the root LICENSE)`);
  }
  const targets = Object.values(manifest.exports ?? {}).flatMap((entry) =>
    JSON.stringify(entry).match(/\.\/[^"]+/g),
  );
  for (const target of [...targets, ...Object.values(manifest.bin ?? {})]) {
    const file = target?.replace(/^\.\//, '');
    if (file !== undefined && !shipped.has(file)) problems.push(`does not ship ${file}`);
  }
  return problems;
}

/**
 * Source maps must lead somewhere: every `sourceMappingURL` comment names a shipped map, and
 * every source a map names is shipped (the maps point at `src/`, which is packed for them).
 */
export async function mapProblems(root: string, files: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const shipped = new Set(files);
  for (const file of files) {
    if (/\.(js|d\.ts|d\.cts)$/.test(file)) {
      const text = await readFile(join(root, file), 'utf8');
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
      if (url === undefined) continue;
      const map = relative(root, resolve(root, dirname(file), url));
      if (!shipped.has(map)) problems.push(`${file} names a map ${map} that is not shipped`);
    } else if (file.endsWith('.map')) {
      const { sources } = JSON.parse(await readFile(join(root, file), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const target = relative(root, resolve(root, dirname(file), source));
        if (!shipped.has(target)) problems.push(`${file} maps to ${target}, not shipped`);
      }
    }
  }
  return problems;
}
