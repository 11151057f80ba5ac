import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedTempDir } from '@contextlog/fs-adapter/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CJS_CHECK,
  ESM_CHECK,
  forVitestOnly,
  typescriptProjects,
  vitestCheck,
} from './pack-consumer.js';
import {
  exportsProblems,
  fileProblems,
  filesUnder,
  mapProblems,
  type PackedManifest,
} from './pack-contents.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
// The pnpm running the tests (`npx pnpm@… test` puts none on PATH), as scripts/pack-all.mjs does.
const execPath = process.env.npm_execpath ?? '';
const pnpm = /pnpm[^/\\]*$/.test(execPath) ? execPath : 'pnpm';
const pnpmCommand = /\.[cm]?js$/.test(pnpm) ? [process.execPath, pnpm] : [pnpm];

/** One line of scripts/pack-all.mjs's packages.json. */
interface Packed {
  readonly name: string;
  readonly tarball: string;
  readonly exports: readonly string[];
  readonly bin: readonly string[];
}

interface Unpacked extends Packed {
  readonly dir: string;
  readonly manifest: PackedManifest;
  readonly files: readonly string[];
}

/**
 * The Claude Agent SDK lists its native CLI binary (~350 MB a platform) as optional dependencies:
 * nothing here runs it, and nothing may download it. npm installs every optional dependency of the
 * platform (`--omit=optional` would also drop ones the other SDKs load), so each is overridden by
 * an empty local package; the pnpm project lists them in `ignoredOptionalDependencies`.
 */
const NO_NATIVE_BINARY = Object.fromEntries(
  [
    'linux-x64',
    'linux-arm64',
    'linux-x64-musl',
    'linux-arm64-musl',
    'darwin-x64',
    'darwin-arm64',
    'win32-x64',
    'win32-arm64',
  ].map((platform) => [`@anthropic-ai/claude-agent-sdk-${platform}`, 'file:./no-binary']),
);

/** Database drivers: optional peers, left out of the npm project to show nothing needs them. */
const DRIVERS = ['pg', '@electric-sql/pglite'];
const MANAGERS = ['npm', 'pnpm'] as const;
type Manager = (typeof MANAGERS)[number];

/**
 * Another project must be able to depend on the packages as published: every publishable
 * package (packages/* not private) is packed once by `scripts/pack-all.mjs`, unpacked to check
 * what it ships, and installed from the tarballs, offline from any registry for our packages,
 * into one project with npm and one with pnpm (as the root README shows), where every export
 * subpath is imported, required and compiled, and every bin runs.
 */
describe('packed packages in projects outside the workspace', () => {
  const scratch = sharedTempDir();
  let packages: Unpacked[] = [];
  const app = (manager: Manager) => join(scratch.path, `${manager}-app`);
  const specs = () =>
    packages.flatMap((p) =>
      p.exports.map((sub) => (sub === '.' ? p.name : `${p.name}/${sub.slice(2)}`)),
    );

  beforeAll(async () => {
    const out = join(scratch.path, 'packed');
    await run('node', [join(root, 'scripts', 'pack-all.mjs'), '--out', out]);
    const listing = JSON.parse(await readFile(join(out, 'packages.json'), 'utf8')) as Packed[];
    packages = await Promise.all(
      listing.map(async (packed) => {
        const dir = join(scratch.path, 'unpacked', packed.name);
        await mkdir(dir, { recursive: true });
        await run('tar', ['xzf', packed.tarball, '-C', dir, '--strip-components=1']);
        const manifest = JSON.parse(
          await readFile(join(dir, 'package.json'), 'utf8'),
        ) as PackedManifest;
        return { ...packed, dir, manifest, files: await filesUnder(dir) };
      }),
    );
    // The peers the packages name (at the versions their own tests use), so that every subpath
    // loads: `@contextlog/testkit/vitest` needs vitest, for one.
    const peers = new Map<string, string>();
    for (const { manifest } of packages) {
      for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (name.startsWith('@contextlog/') || peers.has(name)) continue;
        const pinned = manifest.devDependencies?.[name];
        peers.set(name, pinned !== undefined && /^\d/.test(pinned) ? pinned : range);
      }
    }
    const wanted = [...peers].map(([name, version]) => `${name}@${version}`);
    const common = [
      '@types/node@20',
      ...wanted.filter((w) => !DRIVERS.some((d) => w.startsWith(`${d}@`))),
    ];
    const tarballs = packages.map((p) => p.tarball);
    for (const manager of MANAGERS) {
      await mkdir(app(manager));
      await writeFile(
        join(app(manager), 'package.json'),
        JSON.stringify({
          name: `${manager}-consumer`,
          private: true,
          type: 'module',
          ...(manager === 'npm' ? { overrides: NO_NATIVE_BINARY } : {}),
        }),
      );
    }
    await mkdir(join(app('npm'), 'no-binary'));
    await writeFile(
      join(app('npm'), 'no-binary', 'package.json'),
      JSON.stringify({ name: 'no-binary', version: '0.0.0' }),
    );
    // npm takes every tarball in one command (siblings resolve to each other), without pg.
    const npm = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...common],
      { cwd: app('npm'), timeout: 240_000 },
    );
    // pnpm needs the overrides pack-all wrote; this project also gets pg, to show it is found.
    const pg = wanted.find((w) => w.startsWith('pg@'));
    await writeFile(
      join(app('pnpm'), 'pnpm-workspace.yaml'),
      `${await readFile(join(out, 'pnpm-overrides.yaml'), 'utf8')}\nignoredOptionalDependencies:\n  - "@anthropic-ai/claude-agent-sdk-*"\n`,
    );
    const pnpmAdd = run(
      pnpmCommand[0] as string,
      [
        ...pnpmCommand.slice(1),
        'add',
        '--reporter=silent',
        ...tarballs,
        ...common,
        ...(pg === undefined ? [] : [pg]),
      ],
      { cwd: app('pnpm'), timeout: 240_000 },
    );
    await Promise.all([npm, pnpmAdd]);
  }, 300_000);

  it('finds every publishable package', () => {
    expect(packages.map((p) => p.name)).toContain('@contextlog/core');
    expect(packages.map((p) => p.name)).toContain('@contextlog/cli');
  });

  it('ships dist, src for the maps, README and LICENSE, and nothing else', async () => {
    for (const p of packages) {
      const problems = [
        ...exportsProblems(p.manifest),
        ...fileProblems(p.manifest, p.files),
        ...(await mapProblems(p.dir, p.files)),
      ];
      expect(problems, p.name).toEqual([]);
    }
  });

  it.each(MANAGERS)(
    'imports and requires every export subpath (%s)',
    async (manager) => {
      await writeFile(join(app(manager), 'esm-check.mjs'), ESM_CHECK);
      await writeFile(join(app(manager), 'cjs-check.cjs'), CJS_CHECK);
      const all = specs().filter((spec) => !forVitestOnly(spec));
      const everywhere = Object.fromEntries(
        all.map((s) => [s, { exports: true, sameAsRequire: true }]),
      );
      const esm = await run('node', ['esm-check.mjs', JSON.stringify(all)], { cwd: app(manager) });
      expect(JSON.parse(esm.stdout)).toEqual(everywhere);
      const cjs = await run('node', ['cjs-check.cjs', JSON.stringify(all)], { cwd: app(manager) });
      expect(JSON.parse(cjs.stdout)).toEqual({
        report: Object.fromEntries(all.map((s) => [s, true])),
        messages: 1,
        coreClass: true,
        code: 'NOT_A_FILE',
      });
    },
    60_000,
  );

  it.each(MANAGERS)(
    'loads the vitest-only subpaths inside vitest (%s)',
    async (manager) => {
      const only = specs().filter(forVitestOnly);
      await writeFile(join(app(manager), 'subpaths.test.mjs'), vitestCheck(only));
      const vitest = join(app(manager), 'node_modules', '.bin', 'vitest');
      const { stdout } = await run(vitest, ['run', 'subpaths.test.mjs'], {
        cwd: app(manager),
        env: { ...process.env, CI: '1', NO_COLOR: '1' },
      });
      expect(stdout).toMatch(/1 passed/);
    },
    60_000,
  );

  it.each(MANAGERS)(
    'compiles for TypeScript: node16 (.cts and .mts) and bundler (%s)',
    async (manager) => {
      const tsc = join(root, 'node_modules', '.bin', 'tsc');
      for (const project of typescriptProjects(specs())) {
        for (const [file, text] of Object.entries(project.files)) {
          await writeFile(join(app(manager), file), text);
        }
        const config = join(app(manager), `tsconfig.${project.name}.json`);
        await writeFile(config, JSON.stringify(project.tsconfig));
        const result = await run(tsc, ['-p', config]).catch((error: { stdout: string }) => error);
        expect(result.stdout, `${manager}, ${project.name}`).toBe('');
      }
    },
    120_000,
  );

  it.each(MANAGERS)(
    'runs every bin, and the CLI on a session file (%s)',
    async (manager) => {
      const bins = join(app(manager), 'node_modules', '.bin');
      for (const bin of packages.flatMap((p) => p.bin)) {
        const { stdout } = await run(join(bins, bin), ['--version'], { cwd: app(manager) });
        expect(stdout.trim(), bin).toMatch(/^\d+\.\d+\.\d+/);
      }
      await writeFile(
        join(app(manager), 'session.mjs'),
        `import { openFileSession } from '@contextlog/fs-adapter';
const engine = await openFileSession('session.jsonl');
await engine.setSystemPrompt('You are a test.');
await engine.appendMessages({ role: 'user', content: 'hello' });
await engine.recordUsage(42);
await engine.close();`,
      );
      await run('node', ['session.mjs'], { cwd: app(manager) });
      const replay = await run(join(bins, 'contextlog'), ['replay', 'session.jsonl', '--json'], {
        cwd: app(manager),
      });
      expect(JSON.parse(replay.stdout)).toMatchObject({
        format: 'contextlog',
        tokenCount: 42,
        seq: 3,
      });
    },
    60_000,
  );

  /** `contextlog ls` on a port where nothing listens: it fails either way; how, is the point. */
  const lsNowhere = async (manager: Manager) => {
    const bin = join(app(manager), 'node_modules', '.bin', 'contextlog');
    const args = ['ls', 'postgres://127.0.0.1:1/agents'];
    const failed = await run(bin, args, { cwd: app(manager) }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    return { code: failed.code, stderr: failed.stderr };
  };

  it('names what to install when a postgres:// target needs pg and it is absent (npm)', async () => {
    const { code, stderr } = await lsNowhere('npm');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^contextlog: .*pg package, which is not installed.*npm install pg\b/);
  }, 60_000);

  it('finds pg installed next to the CLI (pnpm)', async () => {
    const { code, stderr } = await lsNowhere('pnpm');
    // pg loaded, so the failure is the connection's.
    expect(code).toBe(1);
    expect(stderr).not.toContain('not installed');
    expect(stderr).toMatch(/connection refused|ECONNREFUSED/);
  }, 60_000);

  // Each adapter's README example, as compiled in the workspace (examples are left out of the
  // tarballs), run in the npm project beside the SDK it adapts: what a user copies must work.
  const EXAMPLES: readonly [string, string, (stdout: string) => void, Record<string, string>?][] = [
    [
      'openai-agents',
      'agents-tour.js',
      (stdout) => expect(stdout).toContain('You asked about the weather in Paris.'),
    ],
    [
      'claude-agent-sdk',
      'claude-tour.js',
      (stdout) => expect(stdout).toContain('Largest file in src'),
      { CLAUDE_CONFIG_DIR: 'claude-config' },
    ],
    ['ai-sdk', 'chat-tour.js', (stdout) => expect(stdout).toContain('assistant: step-start')],
  ];
  it.each(EXAMPLES)(
    'runs the %s README example beside its SDK (npm)',
    async (name, file, check, env = {}) => {
      const cwd = app('npm');
      await copyFile(
        join(root, 'packages', name, 'dist', 'readme-tour.example.js'),
        join(cwd, file),
      );
      if (env.CLAUDE_CONFIG_DIR !== undefined) {
        await cp(
          join(root, 'packages', name, 'src', 'fixtures', 'claude-config'),
          join(cwd, env.CLAUDE_CONFIG_DIR),
          { recursive: true },
        );
      }
      const resolved = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [key, join(cwd, value)]),
      );
      const { stdout } = await run('node', [file], { cwd, env: { ...process.env, ...resolved } });
      check(stdout);
    },
    60_000,
  );
});
