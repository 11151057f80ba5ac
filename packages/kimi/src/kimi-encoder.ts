import type { Message, StoredEvent } from '@contextlog/core';
import { DEFAULT_KIND, kindAfter } from '@contextlog/core/store';
import type { FormatEncoder } from '@contextlog/fs-adapter/formats';
import {
  encodeCheckpoint,
  encodeKimiMessage,
  encodeSystemPrompt,
  encodeUsage,
  UnknownPartTypeError,
} from './encode-line.js';
import { KimiExportError } from './errors.js';
import { createLiveRecords, type LiveRecords, UnrepresentableStateError } from './live-records.js';

/**
 * Writes a session's live history as kimi-cli lines: fed the events (ones core's projection
 * accepted) in seq order, it keeps the kimi-cli records of the live history only (see
 * live-records.ts), then gives the system prompt first and the records in order. What kimi-cli
 * cannot hold is refused with `KimiExportError` naming `source`.
 */
export function createKimiEncoder(
  source: string,
): FormatEncoder & Pick<LiveRecords, 'droppedCheckpointIds'> {
  const records = createLiveRecords();
  return {
    get droppedCheckpointIds() {
      return records.droppedCheckpointIds;
    },
    apply(event: StoredEvent) {
      const { dialect } = kindAfter(DEFAULT_KIND, [event]);
      if (
        dialect.name !== DEFAULT_KIND.dialect.name ||
        dialect.version !== DEFAULT_KIND.dialect.version
      ) {
        throw new KimiExportError(
          source,
          `event seq ${event.seq}: the session's messages are in dialect ${dialect.name} v${dialect.version}; a kimi-cli file holds kimi-cli's messages only`,
        );
      }
      try {
        records.apply(event);
      } catch (error) {
        if (error instanceof UnrepresentableStateError) {
          throw new KimiExportError(source, `event seq ${event.seq}: ${error.message}`);
        }
        throw error;
      }
    },
    lines: () => kimiLines(records, source),
  };
}

export function* kimiLines(
  history: Pick<LiveRecords, 'systemPrompt' | 'records'>,
  source: string,
): Generator<string> {
  if (history.systemPrompt !== null) yield encodeSystemPrompt(history.systemPrompt);
  let messageIndex = 0;
  for (const record of history.records) {
    if (record.kind === 'usage') yield encodeUsage(record.tokenCount);
    else if (record.kind === 'checkpoint') yield encodeCheckpoint(record.id);
    else yield encodeMessageOf(record.message, messageIndex++, source);
  }
}

function encodeMessageOf(message: Message, index: number, source: string): string {
  try {
    return encodeKimiMessage(message);
  } catch (error) {
    if (error instanceof UnknownPartTypeError) {
      throw new KimiExportError(source, `message ${index} holds ${error.message}`);
    }
    throw error;
  }
}
