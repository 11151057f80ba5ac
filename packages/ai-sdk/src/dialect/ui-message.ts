import { asIsSchema } from '@contextlog/core';
import { z } from 'zod';

/**
 * The envelope of an AI SDK `UIMessage` (ai 6 and 7): an id, a role and parts, each part an
 * object with a string `type` (`text`, `reasoning`, `tool-<name>`, `dynamic-tool`, `source-url`,
 * `source-document`, `file`, `data-<name>`, `step-start`, and whatever a newer SDK adds). Only the
 * envelope is checked: the SDK's own `validateUIMessages` checks parts against tool and data
 * schemas that only the application has. Only used to check (`UiMessageSchema` gives the value
 * itself back, unknown keys and all), so plain objects: their type has no index signature, and
 * the SDK's `UIMessage` (an interface) is assignable to it.
 */
const UiMessageShapeSchema = z.object({
  id: z.string(),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(z.object({ type: z.string() })),
  metadata: z.unknown().optional(),
});

export type UiMessage = z.infer<typeof UiMessageShapeSchema>;
export type UiMessagePart = UiMessage['parts'][number];

/** One `UIMessage`, given back as the very value that was passed in (see core's `asIsSchema`). */
export const UiMessageSchema: z.ZodType<UiMessage> = asIsSchema(UiMessageShapeSchema);
