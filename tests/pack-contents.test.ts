import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@contextlog/fs-adapter/testing';
import { describe, expect, it } from 'vitest';
import {
  exportsProblems,
  fileProblems,
  filesUnder,
  mapProblems,
  type PackedManifest,
} from './pack-contents.js';

// The pack test asserts these find nothing in the real tarballs; here, that they find each kind
// of problem they are there for.

const good: PackedManifest = {
  name: '@contextlog/x',
  version: '0.1.0',
  license: 'MIT',
  engines: { node: '>=20.19' },
  exports: {
    '.': {
      types: { require: './dist/index.d.cts', default: './dist/index.d.ts' },
      import: './dist/index.js',
      default: './dist/index.js',
    },
  },
  dependencies: { '@contextlog/core': '^0.1.0' },
};
const shipped = [
  'LICENSE',
  'README.md',
  'package.json',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/index.d.cts',
];

describe('the checks on a packed package', () => {
  it('find nothing wrong in a good package', () => {
    expect(exportsProblems(good)).toEqual([]);
    expect(fileProblems(good, shipped)).toEqual([]);
  });

  it('find an exports map with only an import condition, an old engines range, a workspace range', () => {
    const bad: PackedManifest = {
      ...good,
      engines: { node: '>=20' },
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      dependencies: { '@contextlog/core': 'workspace:^' },
    };
    expect(exportsProblems(bad)).toEqual([
      expect.stringContaining('engines.node is >=20'),
      expect.stringContaining('exports["."]'),
      'dependencies.@contextlog/core is still workspace:^',
    ]);
  });

  it('find test files, stray files, a missing LICENSE and a missing export target', () => {
    const files = [
      ...shipped.filter((f) => f !== 'LICENSE' && f !== 'dist/index.d.cts'),
      'dist/x.test-helper.js',
      'scripts/crash-writer.mjs',
    ];
    expect(fileProblems(good, files)).toEqual([
      'ships dist/x.test-helper.js, which only tests use',
      'ships scripts/crash-writer.mjs (not dist, src, README or LICENSE)',
      'has no LICENSE (copy the root LICENSE)',
      'does not ship dist/index.d.cts',
    ]);
  });

  it('find maps that lead nowhere', async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.dir, 'dist'));
      await writeFile(join(dir.dir, 'dist', 'a.js'), 'x;\n//# sourceMappingURL=a.js.map\n');
      await writeFile(join(dir.dir, 'dist', 'b.js'), 'x;\n//# sourceMappingURL=b.js.map\n');
      await writeFile(
        join(dir.dir, 'dist', 'a.js.map'),
        JSON.stringify({ sources: ['../src/a.ts'] }),
      );
      const files = await filesUnder(dir.dir);
      expect(await mapProblems(dir.dir, files)).toEqual([
        'dist/a.js.map maps to src/a.ts, not shipped',
        'dist/b.js names a map dist/b.js.map that is not shipped',
      ]);
    } finally {
      await dir.cleanup();
    }
  });
});
