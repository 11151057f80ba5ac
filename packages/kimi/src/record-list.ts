import type { Message } from '@contextlog/core';

/** One line of a kimi-cli file, other than the system prompt (which export writes first). */
export type KimiRecord =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'usage'; readonly tokenCount: number }
  | { readonly kind: 'checkpoint'; readonly id: number };

/** The live history cannot be written as kimi-cli records. */
export class UnrepresentableStateError extends Error {}

/**
 * The records of a live history, with where each message, checkpoint and usage record is (their
 * indices in `list`, in order), kept up to date as records are pushed and cut off, so that a
 * revert or an edit finds its place without a scan.
 */
export interface RecordList {
  readonly list: readonly KimiRecord[];
  /** Index in `list` of each message, by message index. */
  readonly messageAt: readonly number[];
  /** Index in `list` of each live checkpoint record (core's marks, one to one). */
  readonly checkpointAt: readonly number[];
  /** Index in `list` of each usage record. */
  readonly usageAt: readonly number[];
  push(record: KimiRecord): void;
  /** Puts `message` in place of the message record at `index` of `list`. */
  setMessage(index: number, message: Message): void;
  /** Keeps the records before `length`. */
  truncate(length: number): void;
}

export function createRecordList(): RecordList {
  const list: KimiRecord[] = [];
  const at = { message: [] as number[], checkpoint: [] as number[], usage: [] as number[] };
  const cut = (indices: number[], length: number) => {
    while (indices.length > 0 && (indices.at(-1) as number) >= length) indices.pop();
  };
  return {
    list,
    messageAt: at.message,
    checkpointAt: at.checkpoint,
    usageAt: at.usage,
    push(record) {
      at[record.kind].push(list.length);
      list.push(record);
    },
    setMessage(index, message) {
      list[index] = { kind: 'message', message };
    },
    truncate(length) {
      list.length = Math.min(length, list.length);
      cut(at.message, length);
      cut(at.checkpoint, length);
      cut(at.usage, length);
    },
  };
}
