/**
 * One measurement in a fresh process, so its time and peak RSS are its own (not the runner's
 * heap, not an earlier scenario's garbage): `node dist/child.js TASK FILE [OUT]`. Prints one JSON
 * line: `{"ms", "lines"?, "seq"?, "messages"?, "maxRssBytes"}`, where `ms` times only the task
 * (not node's start or module loading) and `maxRssBytes` is the process's peak resident set
 * (`process.resourceUsage().maxRSS`): node itself and its modules included, nothing subtracted.
 */
import { messageCount } from '@contextlog/core';
import { contextlogFormat, readSessionFile } from '@contextlog/fs-adapter';
import { importKimiSession, kimiFormat } from '@contextlog/kimi';
import { measurePgHeap, type PgHeapResult } from './lib/pg-heap.js';
import { plainRead, plainReadKeepingMessages } from './lib/plain-reader.js';

export type ChildTask = 'plain-read' | 'plain-read-keep' | 'replay' | 'kimi-import' | 'pg-heap';

export interface ChildResult {
  readonly ms: number;
  /** Lines the plain reader parsed. */
  readonly lines?: number;
  /** The replayed state's seq and message count. */
  readonly seq?: number;
  readonly messages?: number;
  readonly maxRssBytes: number;
  /** `pg-heap` (run with --expose-gc): FILE is the server's URL or `pglite`, OUT the session count. */
  readonly heap?: PgHeapResult;
}

async function run(task: string, file: string, out: string | undefined): Promise<ChildResult> {
  const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;
  if (task === 'plain-read') {
    const started = performance.now();
    const { lines } = plainRead(file);
    return { ms: performance.now() - started, lines, maxRssBytes: maxRssBytes() };
  }
  if (task === 'plain-read-keep') {
    const started = performance.now();
    const { lines, messages } = plainReadKeepingMessages(file);
    return { ms: performance.now() - started, lines, messages, maxRssBytes: maxRssBytes() };
  }
  if (task === 'replay') {
    const started = performance.now();
    // Format detected, strict: what users of the command line get.
    const { state } = await readSessionFile(file, { formats: [contextlogFormat, kimiFormat] });
    const ms = performance.now() - started;
    return { ms, seq: state.seq, messages: messageCount(state), maxRssBytes: maxRssBytes() };
  }
  if (task === 'kimi-import') {
    if (out === undefined) throw new Error('kimi-import needs an output path');
    const started = performance.now();
    await importKimiSession(file, out);
    return { ms: performance.now() - started, maxRssBytes: maxRssBytes() };
  }
  if (task === 'pg-heap') {
    const started = performance.now();
    const heap = await measurePgHeap(file, Number(out ?? 1000));
    return { ms: performance.now() - started, heap, maxRssBytes: maxRssBytes() };
  }
  throw new Error(`unknown child task: ${task}`);
}

const [task, file, out] = process.argv.slice(2);
if (task === undefined || file === undefined) {
  process.stderr.write('usage: node child.js TASK FILE [OUT]\n');
  process.exitCode = 2;
} else {
  run(task, file, out).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
