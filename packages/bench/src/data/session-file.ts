import * as fs from 'node:fs';
import { messagePool } from './messages.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

export interface GeneratedFile {
  readonly path: string;
  readonly bytes: number;
  /** Lines after the first: events (contextlog), or records after the system prompt (kimi-cli). */
  readonly lines: number;
  /** Messages among them. */
  readonly messages: number;
}

/**
 * Writes lines from `nextLine` until the file holds at least `targetBytes`, in large writes (the
 * generator must not be what a full run waits for).
 */
function writeLines(
  path: string,
  targetBytes: number,
  first: string,
  nextLine: (index: number) => string,
): Omit<GeneratedFile, 'messages'> {
  const fd = fs.openSync(path, 'wx');
  try {
    let bytes = 0;
    let lines = 0;
    let chunk: string[] = [first];
    let chunkBytes = Buffer.byteLength(first);
    const flush = () => {
      const buffer = Buffer.from(chunk.join(''));
      fs.writeSync(fd, buffer);
      bytes += buffer.length;
      chunk = [];
      chunkBytes = 0;
    };
    while (bytes + chunkBytes < targetBytes) {
      const line = nextLine(lines++);
      chunk.push(line);
      chunkBytes += line.length; // UTF-16 units: close enough to decide when to flush
      if (chunkBytes >= CHUNK_BYTES) flush();
    }
    flush();
    return { path, bytes, lines };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A contextlog session file of about `targetBytes`: the header, then one `messages.appended` per
 * message, with a `usage.recorded` every 10 events and a `checkpoint.created` every 50 (as an
 * agent's turns write them).
 */
export function writeContextlogSession(path: string, targetBytes: number): GeneratedFile {
  let messages = 0;
  const pool = messagePool(4096).map((message) => JSON.stringify(message));
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const header = `${JSON.stringify({ format: 'contextlog', version: 1, createdAt: new Date(start).toISOString() })}\n`;
  let checkpoint = 0;
  const file = writeLines(path, targetBytes, header, (index) => {
    const seq = index + 1;
    const at = new Date(start + index * 250).toISOString();
    if (seq % 50 === 0) {
      const data = `{"id":${checkpoint++},"addUserMessage":false}`;
      return `{"seq":${seq},"type":"checkpoint.created","v":1,"at":"${at}","data":${data}}\n`;
    }
    if (seq % 10 === 0) {
      const data = `{"tokenCount":${seq * 40}}`;
      return `{"seq":${seq},"type":"usage.recorded","v":1,"at":"${at}","data":${data}}\n`;
    }
    const message = pool[index % pool.length] as string;
    messages++;
    return `{"seq":${seq},"type":"messages.appended","v":1,"at":"${at}","data":{"messages":[${message}]}}\n`;
  });
  return { ...file, messages };
}

/**
 * A kimi-cli `context.jsonl` of about `targetBytes`, written as kimi-cli writes it: the system
 * prompt first (Python `json.dumps` spacing, non-ASCII escaped), messages compact with raw UTF-8,
 * `_usage` every 10 lines and `_checkpoint` every 50.
 */
export function writeKimiSession(path: string, targetBytes: number): GeneratedFile {
  let messages = 0;
  const pool = messagePool(4096).map((message) => JSON.stringify(message));
  const prompt = '{"role": "_system_prompt", "content": "You are Kimi Code CLI. \\u4f60\\u597d"}\n';
  let checkpoint = 0;
  const file = writeLines(path, targetBytes, prompt, (index) => {
    const n = index + 1;
    if (n % 50 === 0) return `{"role": "_checkpoint", "id": ${checkpoint++}}\n`;
    if (n % 10 === 0) return `{"role": "_usage", "token_count": ${n * 40}}\n`;
    messages++;
    return `${pool[index % pool.length] as string}\n`;
  });
  return { ...file, messages };
}
