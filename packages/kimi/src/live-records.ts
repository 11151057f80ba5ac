import {
  type ContextState,
  checkpointMessage,
  type Message,
  type StoredEvent,
  textLength,
} from '@contextlog/core';

/** One line of a kimi-cli file, other than the system prompt (which export writes first). */
export type KimiRecord =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'usage'; readonly tokenCount: number }
  | { readonly kind: 'checkpoint'; readonly id: number };

/** The live history cannot be written as kimi-cli records. */
export class UnrepresentableStateError extends Error {}

/**
 * The kimi-cli records of a session's live history, folded from its events alongside core's
 * projection: what `kimi-cli` would have in its file had it executed the same commands. A revert
 * cuts back to the reverted checkpoint's record (kimi-cli's `revert_to` keeps the lines before
 * it), a clear empties everything, a compaction leaves its messages followed by a usage record
 * (its token count, with nothing pending), and a snapshot is rebuilt from the state it carries.
 * Events must be ones core's projection accepted (a revert names a live checkpoint).
 */
export interface LiveRecords {
  apply(event: StoredEvent): void;
  readonly systemPrompt: string | null;
  readonly records: readonly KimiRecord[];
}

export function createLiveRecords(): LiveRecords {
  let systemPrompt: string | null = null;
  let records: KimiRecord[] = [];
  // Index in `records` of each live checkpoint record, in order (core's marks, one to one).
  let checkpointAt: number[] = [];

  const reset = (next: KimiRecord[]) => {
    records = next;
    checkpointAt = [];
    next.forEach((record, index) => {
      if (record.kind === 'checkpoint') checkpointAt.push(index);
    });
  };

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
          checkpointAt.push(records.length);
          records.push({ kind: 'checkpoint', id });
          if (addUserMessage) {
            records.push({ kind: 'message', message: checkpointMessage(id) });
          }
          return;
        }
        case 'context.reverted': {
          // The first live checkpoint with that id, as core's projection and kimi-cli pick it.
          const id = event.data.checkpointId;
          const index = checkpointAt.findIndex((at) => {
            const record = records[at];
            return record?.kind === 'checkpoint' && record.id === id;
          });
          const at = checkpointAt[index];
          if (at === undefined) throw new UnrepresentableStateError(`checkpoint ${id} is not live`);
          records.length = at;
          checkpointAt.length = index;
          return;
        }
        case 'context.cleared':
          systemPrompt = null;
          reset([]);
          return;
        case 'context.compacted': {
          const { messages, tokenCount } = event.data;
          let text = 0;
          for (const message of messages) text += textLength(message);
          reset([
            ...messages.map((message): KimiRecord => ({ kind: 'message', message })),
            { kind: 'usage', tokenCount: tokenCount ?? Math.floor(text / 4) },
          ]);
          return;
        }
        // kimi-cli records no dialect (the encoder refuses any but its own) nor estimator.
        case 'session.declared':
          return;
        case 'metadata.set':
          return; // kimi-cli has no metadata; export warns about what the final state holds
        case 'state.snapshotted':
          systemPrompt = event.data.state.systemPrompt;
          reset(recordsOfState(event.data.state));
          return;
      }
    },
    get systemPrompt() {
      return systemPrompt;
    },
    get records() {
      return records;
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
