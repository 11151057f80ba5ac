import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Message } from '@contextlog/core';
import { checkJsonData, EVENT_DATA_SCHEMAS } from '@contextlog/core/store';
import { z } from 'zod';

/** The writer the floors are measured with. */
export interface MinimalWriter {
  /** Resolves once the message's line is on stable storage. */
  append(message: Message): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readonly data: unknown;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The floor of a durable append under contextlog's contract, measured beside our figures: what
 * any context engine must do per message that validates its input (the engine's compiled zod
 * schema and its JSON data check), encodes it as a JSON line, group-commits whatever is queued
 * when the previous write settles, writes asynchronously (one `O_DSYNC` write per batch, never
 * blocking the event loop) and keeps the committed messages in memory (a session's history is
 * its state), and nothing more. No pipeline, no projection, no freeze, no lock, no size check,
 * no undo: it is not a store, only the least such a store could cost. Its figures are the limit
 * of the contract on this machine (with zod as its validator), as the disk limit is the limit of
 * the disk. Like the engine, it starts writing at once when idle, and lets the callers a commit
 * resumes join the next batch.
 */
export async function openMinimalWriter(path: string): Promise<MinimalWriter> {
  const parse = z.compile(EVENT_DATA_SCHEMAS['messages.appended'] as z.ZodType);
  const handle: FileHandle = await open(
    path,
    constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC,
    0o644,
  );
  let position = 0;
  let seq = 0;
  let queue: Pending[] = [];
  const history: unknown[] = [];
  let writing = false;

  const flush = async (): Promise<void> => {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        const at = new Date().toISOString();
        const lines: string[] = [];
        let room = 0;
        for (const { data } of batch) {
          const line = JSON.stringify({ seq: ++seq, type: 'messages.appended', v: 1, at, data });
          lines.push(line);
          room += line.length * 3 + 1;
        }
        const buffer = Buffer.allocUnsafe(room);
        let end = 0;
        for (const line of lines) {
          end += buffer.write(line, end, 'utf8');
          buffer[end++] = 0x0a;
        }
        try {
          const { bytesWritten } = await handle.write(buffer, 0, end, position);
          if (bytesWritten !== end) throw new Error(`short write: ${bytesWritten} of ${end}`);
          position += end;
          for (const { data, resolve } of batch) {
            history.push(data);
            resolve();
          }
        } catch (error) {
          for (const { reject } of batch) reject(error);
        }
        // The callers just resumed run first and queue their next appends, which then form the
        // next batch (as the engine's next drain takes them).
        await Promise.resolve();
      }
    } finally {
      writing = false;
    }
  };

  return {
    append(message) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ data: checkJsonData(parse.parse({ messages: [message] })), resolve, reject });
        if (!writing) void flush();
      });
    },
    close: () => handle.close(),
  };
}
