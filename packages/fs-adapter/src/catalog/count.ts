import { type DialectOptions, type DialectRef, hasCode } from '@contextlog/core';
import { createMessageCounter } from '@contextlog/core/store';
import type { FileHandleLike } from '../fs/file-system.js';
import { replayingSink } from '../read/contextlog-decoder.js';
import { lineBatches } from '../read/line-batches.js';
import type { SessionFormat } from '../read/session-format.js';
import type { Diagnostic } from '../read/types.js';

export interface Counted {
  readonly messages: number;
  readonly seq: number;
  readonly dialect: DialectRef;
  readonly estimator: string;
  /** The warnings of the read (a torn tail, a dialect this reader does not know). */
  readonly warnings: readonly string[];
}

/**
 * Reads a session through its format's strict decoder (every line checked, as a replay checks
 * it) into a message counter instead of a fold: memory is one chunk and the live checkpoint
 * marks, whatever the size of the history. Resolves with the counts, or with the reason the
 * file cannot be replayed (a corrupt line, a revert to a checkpoint that is not live).
 */
export async function countSession(
  handle: FileHandleLike,
  path: string,
  size: number,
  modified: string,
  format: SessionFormat,
  options: DialectOptions & { readonly onBytes?: (bytesRead: number) => void },
): Promise<Counted | { readonly problem: string }> {
  const diagnostics: Diagnostic[] = [];
  const counter = createMessageCounter();
  const sink = replayingSink(counter);
  const decoder = format.createDecoder({
    source: path,
    mode: 'strict',
    diagnostics,
    modified,
    dialects: options,
  });
  try {
    for await (const batch of lineBatches(handle, 0, size, { prefetch: true })) {
      decoder.batch(batch, sink);
      options.onBytes?.(Math.min(batch.position, size));
    }
    decoder.finish();
  } catch (error) {
    if (!hasCode(error, 'CORRUPT_SESSION')) throw error;
    const where = error.line === undefined ? '' : `line ${error.line}: `;
    return { problem: `${where}${error.reason}` };
  }
  return {
    messages: counter.messageCount,
    seq: counter.seq,
    dialect: counter.dialect,
    estimator: counter.estimator,
    warnings: diagnostics.map((d) => `line ${d.line}: ${d.reason}`),
  };
}
