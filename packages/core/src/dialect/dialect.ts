import type { z } from 'zod';
import { ValidationError } from '../errors/index.js';
import { checkpointMessage, type Message, MessageSchema, textLength } from '../events/message.js';

/** A dialect as the log records it: `session.declared` and snapshots carry this, not the schema. */
export interface DialectRef {
  readonly name: string;
  readonly version: number;
}

/**
 * The shape of a session's messages. A session declares its dialect when it is created and keeps
 * it; every reader validates the session's messages with the dialect's schema.
 */
export interface Dialect<M = unknown> extends DialectRef {
  /** Validates one message. Loose objects keep the keys a newer writer adds. */
  readonly schema: z.ZodType<M>;
  /** The amount of text in a message that the pending-token estimate counts (code points, say). */
  textLength(message: M): number;
  /**
   * The user message `checkpoint({ addUserMessage: true })` appends with mark `id`. A dialect
   * without one refuses that option.
   */
  checkpointMessage?(id: number): M;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Checks a dialect's name and version and freezes it. Names are lower-case words with `.`, `_`
 * or `-` (at most 64 characters): they are written into every session that declares them.
 */
export function defineDialect<M>(dialect: Dialect<M>): Dialect<M> {
  checkDialectRef(dialect, 'dialect');
  return Object.freeze({ ...dialect });
}

export function checkDialectRef(ref: DialectRef, path: string): void {
  if (typeof ref.name !== 'string' || !NAME.test(ref.name)) {
    throw new ValidationError(
      `${path}.name: expected lower-case letters, digits, ".", "_" or "-" (at most 64), got ${JSON.stringify(ref.name)}`,
      `${path}.name`,
    );
  }
  if (!Number.isSafeInteger(ref.version) || ref.version < 1) {
    throw new ValidationError(
      `${path}.version: expected a positive integer, got ${String(ref.version)}`,
      `${path}.version`,
    );
  }
}

/** kimi-cli's message shape (kosong's `Message`): the dialect of every session that declares none. */
export const kimiDialect: Dialect<Message> = defineDialect({
  name: 'kimi-cli',
  version: 1,
  schema: MessageSchema,
  textLength,
  checkpointMessage,
});

export function sameDialect(a: DialectRef, b: DialectRef): boolean {
  return a.name === b.name && a.version === b.version;
}

export function dialectLabel(ref: DialectRef): string {
  return `${ref.name} v${ref.version}`;
}
