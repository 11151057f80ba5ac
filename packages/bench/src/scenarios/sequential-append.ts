import * as fs from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import type { ContextEngine, Message } from '@contextlog/core';
import { openFileSession } from '@contextlog/fs-adapter';
import { storedLines } from '../data/lines.js';
import { messagePool } from '../data/messages.js';
import { openMinimalWriter } from '../lib/minimal-writer.js';
import { quantile } from '../lib/stats.js';
import { compare, type Scenario } from '../scenario.js';

/**
 * One producer awaiting each one-message `appendMessages` on an fsync session, against the raw
 * disk: `writeSync` + `fsyncSync` of the same line on one fd. For context, the same producer on
 * the contract's floor (lib/minimal-writer.ts) and one asynchronous `O_DSYNC` write of the line
 * alone. All are sampled in alternating slices, so all see the same noise.
 */
export const sequentialAppendScenario: Scenario = {
  id: 'sequential',
  title: 'one producer, each durable append awaited (openFileSession, fsync)',
  async run(ctx) {
    const total = ctx.size(3_000, 150);
    const slices = ctx.size(6, 3);
    const perSlice = Math.ceil(total / slices);
    const pool = messagePool(1024);
    const lines = storedLines(total, pool).map((line) => Buffer.from(line));

    const engine: ContextEngine = await openFileSession(path.join(ctx.tmpDir, 'ours.jsonl'), {
      durability: 'fsync',
    });
    const fd = fs.openSync(path.join(ctx.tmpDir, 'raw.jsonl'), 'a');
    const floorWriter = await openMinimalWriter(path.join(ctx.tmpDir, 'floor.jsonl'));
    const asyncHandle = await open(
      path.join(ctx.tmpDir, 'async.jsonl'),
      fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_DSYNC,
    );
    let asyncPosition = 0;
    const writeAsync = async (line: Buffer) => {
      asyncPosition += (await asyncHandle.write(line, 0, line.length, asyncPosition)).bytesWritten;
    };
    const ours: number[] = [];
    const raw: number[] = [];
    const floor: number[] = [];
    const asyncAlone: number[] = [];
    try {
      // Warm-up, not sampled: JIT, the engine's first batches, the files' first blocks.
      for (let i = 0; i < 50; i++) {
        await engine.appendMessages(pool[i % pool.length] as Message);
        await floorWriter.append(pool[i % pool.length] as Message);
        await writeAsync(lines[i] as Buffer);
        fs.writeSync(fd, lines[i] as Buffer);
        fs.fsyncSync(fd);
      }
      for (let slice = 0; slice < slices; slice++) {
        const from = slice * perSlice;
        const to = Math.min(total, from + perSlice);
        for (let i = from; i < to; i++) {
          const started = performance.now();
          fs.writeSync(fd, lines[i] as Buffer);
          fs.fsyncSync(fd);
          raw.push((performance.now() - started) * 1000);
        }
        for (let i = from; i < to; i++) {
          const message = pool[i % pool.length] as Message;
          const started = performance.now();
          await engine.appendMessages(message);
          ours.push((performance.now() - started) * 1000);
        }
        for (let i = from; i < to; i++) {
          const message = pool[i % pool.length] as Message;
          const started = performance.now();
          await floorWriter.append(message);
          floor.push((performance.now() - started) * 1000);
        }
        for (let i = from; i < to; i++) {
          const started = performance.now();
          await writeAsync(lines[i] as Buffer);
          asyncAlone.push((performance.now() - started) * 1000);
        }
      }
    } finally {
      fs.closeSync(fd);
      await asyncHandle.close();
      await floorWriter.close();
      await engine.close();
    }
    return [
      compare({
        name: 'sequential append, fsync: p50 latency vs contract floor',
        unit: 'µs',
        figure: quantile(ours, 0.5),
        baseline: quantile(floor, 0.5),
        target: { atMost: 1.1 },
      }),
      compare({
        name: 'sequential append, fsync: p50 latency vs raw write+fsync',
        unit: 'µs',
        figure: quantile(ours, 0.5),
        baseline: quantile(raw, 0.5),
      }),
      compare({
        name: 'sequential, contract floor: p50 latency vs raw write+fsync',
        unit: 'µs',
        figure: quantile(floor, 0.5),
        baseline: quantile(raw, 0.5),
      }),
      compare({
        name: 'sequential, async O_DSYNC write alone: p50 vs raw write+fsync',
        unit: 'µs',
        figure: quantile(asyncAlone, 0.5),
        baseline: quantile(raw, 0.5),
      }),
      compare({
        name: 'sequential append, fsync: p99 latency vs raw write+fsync',
        unit: 'µs',
        figure: quantile(ours, 0.99),
        baseline: quantile(raw, 0.99),
      }),
    ];
  },
};
