import { asIsSchema } from '@contextlog/core';
import { z } from 'zod';

/**
 * One line of a Claude Code transcript as the Agent SDK hands it to a `SessionStore`
 * (`SessionStoreEntry`): a JSON object with a string `type` (`user`, `assistant`, `system`,
 * `summary`, `custom-title`, `tag`…, a CLI-internal union the SDK keeps opaque). Only `type` is
 * checked; `uuid` (the idempotency key) and `timestamp` are usually there, and everything else is
 * passed through as it is.
 */
const ClaudeEntryShapeSchema = z.object({ type: z.string() });

export type ClaudeEntry = z.infer<typeof ClaudeEntryShapeSchema> & {
  readonly uuid?: unknown;
  readonly [key: string]: unknown;
};

/** A `ClaudeEntry`, given back as the value itself (unknown keys, `"__proto__"` included). */
export const ClaudeEntrySchema: z.ZodType<ClaudeEntry> = asIsSchema(
  ClaudeEntryShapeSchema as z.ZodType<ClaudeEntry>,
);
