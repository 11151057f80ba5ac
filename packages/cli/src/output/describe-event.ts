import type { StoredEvent } from '@contextlog/core';
import { clip, describeMessage, firstLine, roleOf } from './describe-message.js';

/** `follow`'s human line(s) for one committed event. */
export function describeEvent(event: StoredEvent): string[] {
  const head = `#${String(event.seq).padEnd(6)} ${event.type.padEnd(19)}`;
  switch (event.type) {
    case 'system_prompt.set':
      return [`${head} ${JSON.stringify(firstLine(event.data.prompt, 80))}`];
    case 'messages.appended':
      return event.data.messages.map(
        (message, i) =>
          `${i === 0 ? head : ' '.repeat(head.length)} ${roleOf(message).padEnd(10)} ${describeMessage(message, 80)}`,
      );
    case 'usage.recorded':
      return [`${head} token count ${event.data.tokenCount}`];
    case 'checkpoint.created':
      return [
        `${head} checkpoint ${event.data.id}${event.data.addUserMessage ? ' (with its CHECKPOINT message)' : ''}`,
      ];
    case 'context.reverted':
      return [`${head} reverted to checkpoint ${event.data.checkpointId}`];
    case 'context.cleared':
      return [`${head} cleared`];
    case 'context.compacted':
      return [
        `${head} compacted to ${event.data.messages.length} message(s)${
          event.data.tokenCount === undefined ? '' : `, token count ${event.data.tokenCount}`
        }`,
      ];
    case 'metadata.set':
      return [`${head} ${event.data.key} = ${clip(JSON.stringify(event.data.value), 80)}`];
    case 'state.snapshotted':
      return [
        `${head} snapshot: ${event.data.state.messages.length} message(s), token count ${event.data.state.tokenCount}`,
      ];
    case 'session.declared':
      return [
        `${head} dialect ${event.data.dialect.name} v${event.data.dialect.version}, estimator ${event.data.estimator}`,
      ];
    case 'messages.replaced':
      return [
        `${head} history from message ${event.data.from} replaced by ${event.data.messages.length} message(s)`,
        ...event.data.messages.map(
          (message) =>
            `${' '.repeat(head.length)} ${roleOf(message).padEnd(10)} ${describeMessage(message, 80)}`,
        ),
      ];
    case 'message.replaced':
      return [
        `${head} message ${event.data.index} replaced: ${roleOf(event.data.message).padEnd(10)} ${describeMessage(event.data.message, 80)}`,
      ];
  }
}
