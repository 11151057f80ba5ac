import type { z } from 'zod';

/**
 * The shape of a message dialect as DESIGN-14 settles it (core's `Dialect`), declared here
 * structurally because core does not have it yet: replaced by core's Dialect in phase 2.
 */
export interface Dialect<M = unknown> {
  readonly name: string;
  /** A positive integer. */
  readonly version: number;
  /** Validates one message; objects are loose (unknown keys kept). */
  readonly schema: z.ZodType<M>;
  /** Counts a message's text for the pending-token estimate (code points of its text). */
  textLength(message: M): number;
  /** The user message `checkpoint({ addUserMessage: true })` appends; absent: that option is refused. */
  checkpointMessage?(id: number): M;
}
