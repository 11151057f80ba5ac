import { createHash } from 'node:crypto';
import type { ContextState, StoredEvent } from '@contextlog/core';
import { createEventParser, type SnapshotPart, snapshotParts } from '@contextlog/core/store';
import { asciiJson } from '../format/ascii-json.js';
import { headerLine, headerVersionFor } from '../format/header.js';
import type { FileSystem } from '../fs/file-system.js';
import { createChunkedWriter } from '../publish/chunked-writer.js';
import { openTemporary, removeQuietly } from '../publish/publish-file.js';
import { encodeLines } from '../store/encode-lines.js';

/** Bytes gathered before each write of a rewritten session. */
const WRITE_CHUNK_BYTES = 1 << 20;

/** A rewritten session: a snapshot of `state` at `seq`, then a few small events. */
export interface SessionPlan {
  readonly createdAt: Date;
  /** The snapshot's time. */
  readonly at: string;
  readonly seq: number;
  readonly state: ContextState;
  /** Events after the snapshot (`seq + 1` …): a fork's `metadata.set`. */
  readonly after?: readonly StoredEvent[];
  /** Characters of JSON per snapshot part (see `snapshotParts`); for tests of many parts. */
  readonly maxPartChars?: number;
  /** Called as the snapshot is written: messages written so far, of how many. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface WrittenSession {
  /** The temporary file beside the target, fsynced and closed. */
  readonly path: string;
  readonly bytes: number;
  /** Lines the snapshot took (its parts). */
  readonly parts: number;
  /** SHA-256 of every byte written, as the check reads them back. */
  readonly sha256: string;
  /** The seq of its last event. */
  readonly lastSeq: number;
}

/**
 * Writes `plan` as a session file beside `target` (see `openTemporary`), streamed: the snapshot
 * one part at a time (one line each), so memory holds a part, never the file. The header has the
 * lowest version that can represent the file: 3 when the snapshot spans several lines. Nothing is
 * left behind if it fails.
 */
export async function writeSessionTemporary(
  fs: FileSystem,
  target: string,
  plan: SessionPlan,
): Promise<WrittenSession> {
  const { seq, at, state } = plan;
  const total = state.messages.length;
  const maxChars = plan.maxPartChars === undefined ? {} : { maxChars: plan.maxPartChars };
  const parts = snapshotParts(state, maxChars);
  const first = parts.next().value as SnapshotPart;
  // Part 0 declares the session's dialect: the events after it are checked with it, and the
  // header names the version that dialect needs.
  const parser = createEventParser();
  parser.parse({ seq, type: 'state.snapshotted', v: 1, at, data: JSON.parse(first.text) });
  const after = (plan.after ?? []).map((event) => parser.parse(event));
  const version = headerVersionFor(parser.kind, { multiPartSnapshot: !first.last });

  const { path, handle } = await openTemporary(fs, target);
  const digest = createHash('sha256');
  let lines = 0;
  const out = createChunkedWriter(handle, WRITE_CHUNK_BYTES);
  const push = (bytes: Buffer) => {
    digest.update(bytes);
    return out.push(bytes);
  };
  try {
    await push(Buffer.from(headerLine(plan.createdAt, version), 'utf8'));
    const envelope = `{"seq":${seq},"type":"state.snapshotted","v":1,"at":${JSON.stringify(at)},"data":`;
    let written = 0;
    for (let part: SnapshotPart | undefined = first; part !== undefined; ) {
      const ref = first.last ? '' : `,"part":{"index":${part.index},"last":${part.last}}`;
      // A part of several is written in ASCII (see asciiJson); a single line as the store writes it.
      const text = first.last ? part.text : asciiJson(part.text);
      await push(Buffer.from(`${envelope}${text}${ref}}\n`, 'utf8'));
      written += part.messages;
      lines++;
      plan.onProgress?.(written, total);
      const next = parts.next();
      part = next.done === true ? undefined : next.value;
    }
    if (after.length > 0) await push(encodeLines(after));
    await out.flush();
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await removeQuietly(fs, path);
    throw error;
  }
  const lastSeq = after.at(-1)?.seq ?? seq;
  return { path, bytes: out.position, parts: lines, sha256: digest.digest('hex'), lastSeq };
}
