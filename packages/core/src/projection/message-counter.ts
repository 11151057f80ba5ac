import type { DialectRef } from '../dialect/dialect.js';
import { DEFAULT_KIND } from '../dialect/session-kind.js';
import { CheckpointNotFoundError, ValidationError } from '../errors/index.js';
import type { StoredEvent } from '../events/schemas.js';

/**
 * What a listing of sessions needs of one, folded from its events without keeping its history:
 * how many messages it holds, its last seq, its dialect and estimator. Memory is two numbers per
 * live checkpoint, not the messages, so a catalog can count a session of any size.
 */
export interface MessageCounter {
  /**
   * Folds `event`'s effect on the count. A revert to a checkpoint that is not live throws
   * `CheckpointNotFoundError` and changes nothing, as the fold does.
   */
  apply(event: StoredEvent): void;
  /** The number of messages the session holds after the events so far (`state.messages.length`). */
  readonly messageCount: number;
  /** Seq of the last event counted (0 before any). */
  readonly seq: number;
  readonly dialect: DialectRef;
  readonly estimator: string;
}

interface Mark {
  readonly id: number;
  readonly messageCount: number;
}

/**
 * A counter from the empty session. It applies the fold's rules (fold.ts) to the message count
 * alone, and a property test holds the two equal on every log; the switch below has a case for
 * every event type, so a new type does not compile until its effect on the count is decided.
 */
export function createMessageCounter(): MessageCounter {
  let messageCount = 0;
  let seq = 0;
  let marks: Mark[] = [];
  let nextCheckpointId = 0;
  let dialect: DialectRef = DEFAULT_KIND.dialect;
  let estimator = DEFAULT_KIND.estimator;

  const dropMarksPast = (index: number) => {
    while (marks.length > 0 && (marks[marks.length - 1] as Mark).messageCount > index) marks.pop();
  };

  const apply = (event: StoredEvent): void => {
    switch (event.type) {
      case 'messages.appended':
        messageCount += event.data.messages.length;
        break;
      case 'checkpoint.created':
        marks.push({ id: event.data.id, messageCount });
        nextCheckpointId = event.data.id + 1;
        if (event.data.addUserMessage) messageCount++;
        break;
      case 'context.reverted': {
        const { checkpointId } = event.data;
        // As the fold: an id at or past the next one is refused, and the first mark of an id wins.
        const index =
          checkpointId < nextCheckpointId
            ? marks.findIndex((mark) => mark.id === checkpointId)
            : -1;
        const mark = marks[index];
        if (mark === undefined) {
          throw new CheckpointNotFoundError(
            checkpointId,
            marks.map((live) => live.id),
          );
        }
        // A hand-made snapshot's mark may name more messages than there are: the fold cuts to
        // what there is.
        messageCount = Math.min(messageCount, mark.messageCount);
        marks.length = index;
        nextCheckpointId = checkpointId;
        break;
      }
      case 'context.cleared':
        messageCount = 0;
        marks = [];
        nextCheckpointId = 0;
        break;
      case 'context.compacted':
        messageCount = event.data.messages.length;
        marks = [];
        nextCheckpointId = 0;
        break;
      case 'state.snapshotted': {
        const { state } = event.data;
        messageCount = state.messages.length;
        marks = state.checkpoints.map(({ id, messageCount: count }) => ({
          id,
          messageCount: count,
        }));
        nextCheckpointId = state.nextCheckpointId;
        dialect = state.dialect ?? DEFAULT_KIND.dialect;
        estimator = state.estimator ?? DEFAULT_KIND.estimator;
        break;
      }
      case 'session.declared':
        dialect = event.data.dialect;
        estimator = event.data.estimator;
        break;
      case 'messages.replaced': {
        const { from } = event.data;
        // As the fold (edits.ts): `from` within the history, marks past it dropped, ids kept.
        if (from > messageCount) {
          throw new ValidationError(
            `from: ${from} is past the end of the history (${messageCount} messages)`,
            'from',
          );
        }
        dropMarksPast(from);
        messageCount = from + event.data.messages.length;
        break;
      }
      case 'message.replaced': {
        const { index } = event.data;
        if (index >= messageCount) {
          throw new ValidationError(
            `index: ${index} is not a message of the history (${messageCount} messages)`,
            'index',
          );
        }
        dropMarksPast(index);
        break;
      }
      case 'system_prompt.set':
      case 'usage.recorded':
      case 'metadata.set':
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`no message count rule for ${(unhandled as StoredEvent).type}`);
      }
    }
    seq = event.seq;
  };

  return {
    apply,
    get messageCount() {
      return messageCount;
    },
    get seq() {
      return seq;
    },
    get dialect() {
      return dialect;
    },
    get estimator() {
      return estimator;
    },
  };
}
