import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { firstValueFrom, take, toArray } from 'rxjs';
import { beforeAll, expect } from 'vitest';
import { followFileSession } from '../follow/follow-session-file.js';
import { lockPathOf } from '../lock/session-lock.js';
import { temporaryPathFor } from '../publish/temporary-file.js';
import { readSessionFile } from '../read/read-session-file.js';
import { forkSession } from '../rewrite/fork-session.js';
import { snapshotSessionFile } from '../rewrite/snapshot-session-file.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const repoDir = join(packageDir, '..', '..');
const child = join(packageDir, 'scripts', 'crash-writer.mjs');

// Real processes: a writer SIGKILLed at random moments, lock contention, a follower of another
// process's appends. The children run the compiled package, built here from the sources.
beforeAll(async () => {
  // The child runs the compiled package: build it (and core) from the current sources first.
  await promisify(execFile)('npx', ['tsc', '-b', 'packages/fs-adapter'], { cwd: repoDir }).catch(
    () => undefined, // errors elsewhere in the tree still emit; a stale build fails below anyway
  );
});

/** Runs the writer until it has acknowledged something, then SIGKILLs it after a random delay. */
function runAndKill(path: string, tag: string, rng: () => number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const acked: string[] = [];
    const proc: ChildProcess = spawn(process.execPath, [child, path, tag, '4'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      out += chunk;
      let nl = out.indexOf('\n');
      while (nl !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (line.startsWith('open ') && timer === undefined) {
          timer = setTimeout(() => proc.kill('SIGKILL'), Math.floor(rng() * 150));
        }
        nl = out.indexOf('\n');
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited (${code}): ${err}`));
      else resolve(acked);
    });
  });
}

it('keeps every acknowledged message through 20 SIGKILLs of an fsyncing writer', async ({
  dir,
}) => {
  const path = join(dir, 'crash.jsonl');
  let seed = 12345;
  const rng = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const acknowledged: string[] = [];
  let torn = 0;
  for (let round = 0; round < 20; round++) {
    acknowledged.push(...(await runAndKill(path, `r${round}`, rng)));
    const read = await readSessionFile(path);
    if (read.diagnostics.length > 0) torn++;
    const ids = new Set(
      read.state.messages.map((m) => String(m.content).split(' ')[0]).filter(Boolean),
    );
    const missing = acknowledged.filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
  }
  expect(acknowledged.length).toBeGreaterThan(20);
  // The file opens (taking over the dead writer's lock, keeping any torn tail aside) and accepts
  // new appends.
  const engine = await openFileSession(path);
  const before = engine.state.seq;
  await engine.appendMessages({ role: 'user', content: 'after the crashes' });
  expect(engine.state.seq).toBe(before + 1);
  await engine.close();
  const final = await readSessionFile(path);
  expect(final.diagnostics).toEqual([]);
  expect(final.state.messages.at(-1)?.content).toBe('after the crashes');
  console.info(`crash test: ${acknowledged.length} acknowledged messages, ${torn} torn tails seen`);
}, 60_000);

function runScript(script: string, args: readonly string[]): Promise<{ pid: number; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(packageDir, 'scripts', script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on('exit', (code) =>
      code === 0
        ? resolve({ pid: proc.pid ?? -1, out })
        : reject(new Error(`${script}: exit ${code}`)),
    );
  });
}

it('refuses a second writer while another process holds the session, naming its pid', async ({
  dir,
}) => {
  const path = join(dir, 'held.jsonl');
  const holder = runScript('lock-contender.mjs', [path, '1500']);
  const { readFile } = await import('node:fs/promises');
  let pid: number | undefined;
  for (let i = 0; i < 200 && pid === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    pid = await readFile(lockPathOf(path), 'utf8').then(
      (text) => JSON.parse(text).pid as number,
      () => undefined,
    );
  }
  await expect(openFileStore(path)).rejects.toMatchObject({ code: 'SESSION_LOCKED', pid });
  expect((await holder).pid).toBe(pid);
  await (await openFileStore(path)).close();
});

it('lets exactly one of several processes take over a stale lock', async ({ dir }) => {
  const path = join(dir, 'stale.jsonl');
  await (await openFileStore(path)).close();
  const { hostname } = await import('node:os');
  const { writeFile } = await import('node:fs/promises');
  const dead = await promisify(execFile)(process.execPath, ['-e', 'console.log(process.pid)']);
  await writeFile(
    lockPathOf(path),
    JSON.stringify({
      pid: Number(dead.stdout),
      host: hostname(),
      nonce: 'gone',
      createdAt: 'then',
    }),
  );
  const results = await Promise.all(
    Array.from({ length: 4 }, () => runScript('lock-contender.mjs', [path, '1500'])),
  );
  const outs = results.map((r) => r.out.trim());
  expect(outs.filter((out) => out === 'won')).toHaveLength(1);
  const winner = results.find((r) => r.out.trim() === 'won')?.pid;
  for (const out of outs.filter((o) => o !== 'won')) expect(out).toBe(`locked ${winner}`);
});

it('sees the events already there, then those another process appends', async ({ dir }) => {
  const path = join(dir, 's.jsonl');
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('sys');
  await engine.close();
  const seen = firstValueFrom(followFileSession(path).pipe(take(13), toArray()));
  const child = spawn(
    process.execPath,
    [join(packageDir, 'scripts', 'append-writer.mjs'), path, '12'],
    {
      stdio: 'inherit',
    },
  );
  const events = await seen;
  await new Promise((resolve) => child.on('exit', resolve));
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  expect(events.at(-1)).toMatchObject({
    type: 'messages.appended',
    data: { messages: [{ content: 'from child 11' }] },
  });
});

/** Runs a snapshot or fork that stalls before its final rename or link, and SIGKILLs it there. */
function killMidRewrite(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [join(packageDir, 'scripts', 'stalled-rewrite.mjs'), ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    let temporary: string | undefined;
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /^stalled (.+)\n/m.exec(out);
      if (match !== null && temporary === undefined) {
        temporary = match[1];
        proc.kill('SIGKILL');
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && temporary !== undefined) resolve(temporary);
      else reject(new Error(`stalled-rewrite exited (${code}): ${err}`));
    });
  });
}

it("removes the temporary copies SIGKILLed snapshots and forks left, never a live writer's", async ({
  dir,
}) => {
  const { mkdir, readdir, stat, writeFile } = await import('node:fs/promises');
  const sub = join(dir, 'leftovers');
  await mkdir(sub);
  const path = join(sub, 's.jsonl');
  const engine = await openFileSession(path);
  for (let i = 0; i < 50; i++) await engine.appendMessages({ role: 'user', content: `m${i}` });
  await engine.close();
  // A snapshot killed before its rename leaves a full copy of the session.
  const first = await killMidRewrite(['snapshot', path]);
  expect((await readSessionFile(first)).state.messages).toHaveLength(50);
  // The next snapshot removes it (and leaves its own, killed in turn).
  const second = await killMidRewrite(['snapshot', path]);
  await expect(stat(first)).rejects.toMatchObject({ code: 'ENOENT' });
  const target = join(sub, 'fork.jsonl');
  const fork = await killMidRewrite(['fork', path, target]);
  for (const leftover of [second, fork]) {
    expect((await stat(leftover)).size).toBeGreaterThan(500);
    expect((await readSessionFile(leftover)).state.messages).toHaveLength(50);
  }
  // This process's own temporary files, as a live writer's would be: never removed.
  const live = await temporaryPathFor(path);
  const liveFork = await temporaryPathFor(target);
  await writeFile(live, 'being written');
  await writeFile(liveFork, 'being written');

  // The next open of the session removes its dead leftovers (taking over the killed lock too).
  const reopened = await openFileSession(path);
  expect(reopened.state.messages).toHaveLength(50);
  await reopened.close();
  await expect(stat(second)).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await stat(fork)).toBeDefined();
  // The next fork to that target removes the fork's.
  await forkSession(path, target);
  await expect(stat(fork)).rejects.toMatchObject({ code: 'ENOENT' });
  expect((await readdir(sub)).sort()).toEqual(
    ['fork.jsonl', 's.jsonl', basename(live), basename(liveFork)].sort(),
  );
  await snapshotSessionFile(path);
  expect(await stat(live)).toBeDefined();
}, 60_000);
