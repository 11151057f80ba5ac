import {
  type ContextState,
  checkpointMessage,
  type Message,
  type StoredEvent,
  textLength,
} from '@contextlog/core';
import { replaceOneRecord, replaceSuffixRecords } from './edit-records.js';
import { createRecordList, type KimiRecord, UnrepresentableStateError } from './record-list.js';

export { type KimiRecord, UnrepresentableStateError };

/**
 * The kimi-cli records of a session's live history, folded from its events alongside core's
 * projection: what `kimi-cli` would have in its file had it executed the same commands. A revert
 * cuts back to the reverted checkpoint's record (kimi-cli's `revert_to` keeps the lines before
 * it), a clear empties everything, a compaction leaves its messages followed by a usage record
 * (its token count, with nothing pending), and a snapshot is rebuilt from the state it carries.
 * An edit (see edit-records.ts) keeps the records before the edited message, as kimi-cli keeps
 * the lines before the cut when it rewrites a file. Events must be ones core's projection
 * accepted (a revert names a live checkpoint, an edit an index of the history).
 */
export interface LiveRecords {
  apply(event: StoredEvent): void;
  readonly systemPrompt: string | null;
  readonly records: readonly KimiRecord[];
  /**
   * An edit dropped checkpoints since the last clear or compaction (or the snapshot says so: its
   * next id is past its last mark's + 1). kimi-cli restores the next checkpoint id as the last
   * checkpoint record's + 1, so it may number checkpoints with ids contextlog never reuses.
   */
  readonly droppedCheckpointIds: boolean;
}

export function createLiveRecords(): LiveRecords {
  let systemPrompt: string | null = null;
  let droppedCheckpointIds = false;
  const records = createRecordList();
  return {
    apply(event) {
      switch (event.type) {
        case 'system_prompt.set':
          systemPrompt = event.data.prompt;
          return;
        case 'messages.appended':
          for (const message of event.data.messages) records.push({ kind: 'message', message });
          return;
        case 'usage.recorded':
          records.push({ kind: 'usage', tokenCount: event.data.tokenCount });
          return;
        case 'checkpoint.created': {
          const { id, addUserMessage } = event.data;
          records.push({ kind: 'checkpoint', id });
          if (addUserMessage) {
            records.push({ kind: 'message', message: checkpointMessage(id) });
          }
          return;
        }
        case 'context.reverted': {
          // The first live checkpoint with that id, as core's projection and kimi-cli pick it.
          const id = event.data.checkpointId;
          const at = records.checkpointAt.find((index) => {
            const record = records.list[index];
            return record?.kind === 'checkpoint' && record.id === id;
          });
          if (at === undefined) throw new UnrepresentableStateError(`checkpoint ${id} is not live`);
          records.truncate(at);
          return;
        }
        case 'context.cleared':
          systemPrompt = null;
          droppedCheckpointIds = false;
          records.truncate(0);
          return;
        case 'context.compacted': {
          const { messages, tokenCount } = event.data;
          let text = 0;
          for (const message of messages) text += textLength(message);
          droppedCheckpointIds = false;
          records.truncate(0);
          for (const message of messages) records.push({ kind: 'message', message });
          records.push({ kind: 'usage', tokenCount: tokenCount ?? Math.floor(text / 4) });
          return;
        }
        // kimi-cli records no dialect (the encoder refuses any but its own) nor estimator.
        case 'session.declared':
          return;
        case 'metadata.set':
          return; // kimi-cli has no metadata; export warns about what the final state holds
        case 'state.snapshotted': {
          const { state } = event.data;
          systemPrompt = state.systemPrompt;
          droppedCheckpointIds = state.nextCheckpointId > (state.checkpoints.at(-1)?.id ?? -1) + 1;
          records.truncate(0);
          for (const record of recordsOfState(state)) records.push(record);
          return;
        }
        case 'messages.replaced':
          if (replaceSuffixRecords(records, event.data.from, event.data.messages)) {
            droppedCheckpointIds = true;
          }
          return;
        case 'message.replaced':
          if (replaceOneRecord(records, event.data.index, event.data.message)) {
            droppedCheckpointIds = true;
          }
          return;
      }
    },
    get systemPrompt() {
      return systemPrompt;
    },
    get records() {
      return records.list;
    },
    get droppedCheckpointIds() {
      return droppedCheckpointIds;
    },
  };
}

type StateLike = Pick<
  ContextState,
  'messages' | 'tokenCount' | 'pendingTextLength' | 'checkpoints'
>;

/**
 * Records that fold (as kimi-cli restores) to `state`'s messages, marks, token count and pending
 * text. Between two marks only the last usage record matters: if the token count is unchanged and
 * the pending text is the old one plus the messages', no usage record is needed; otherwise one
 * goes where the text after it equals the mark's pending text (as late as possible). A state no
 * record sequence gives (hand-made snapshots) throws `UnrepresentableStateError`.
 */
export function recordsOfState(state: StateLike): KimiRecord[] {
  const { messages } = state;
  const records: KimiRecord[] = [];
  let position = 0;
  let tokenCount = 0;
  let pending = 0;
  const targets = [
    ...state.checkpoints.map((mark) => ({ ...mark, id: mark.id as number | undefined })),
    {
      id: undefined,
      messageCount: messages.length,
      tokenCount: state.tokenCount,
      pendingTextLength: state.pendingTextLength,
    },
  ];
  for (const target of targets) {
    const where = target.id === undefined ? 'the end' : `checkpoint ${target.id}`;
    if (target.messageCount < position || target.messageCount > messages.length) {
      throw new UnrepresentableStateError(
        `${where} is at message ${target.messageCount}, which is not after message ${position}`,
      );
    }
    const lengths = messages.slice(position, target.messageCount).map(textLength);
    const segmentText = lengths.reduce((sum, length) => sum + length, 0);
    let usageAt: number | undefined;
    if (target.tokenCount !== tokenCount || target.pendingTextLength !== pending + segmentText) {
      let after = 0;
      for (let i = lengths.length; i >= 0; i--) {
        if (after === target.pendingTextLength) {
          usageAt = i;
          break;
        }
        after += lengths[i - 1] ?? 0;
      }
      if (usageAt === undefined) {
        throw new UnrepresentableStateError(
          `at ${where}: token count ${target.tokenCount} with ${target.pendingTextLength} pending characters cannot follow from the messages before it`,
        );
      }
    }
    lengths.forEach((_, i) => {
      if (i === usageAt) records.push({ kind: 'usage', tokenCount: target.tokenCount });
      records.push({ kind: 'message', message: messages[position + i] as Message });
    });
    if (usageAt === lengths.length) records.push({ kind: 'usage', tokenCount: target.tokenCount });
    if (target.id !== undefined) records.push({ kind: 'checkpoint', id: target.id });
    position = target.messageCount;
    tokenCount = target.tokenCount;
    pending = target.pendingTextLength;
  }
  return records;
}
