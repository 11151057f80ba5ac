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

/**
 * One `UIMessage`, given back as the very value that was passed in. zod's loose objects copy
 * their input key by key, and assigning an own `"__proto__"` key (which JSON.parse makes) to the
 * copy changes its prototype instead, so a message holding one would come back without it: the
 * shape is checked on the side and its issues reported at their paths, the value never copied.
 */
export const UiMessageSchema: z.ZodType<UiMessage> = z
  .custom<UiMessage>()
  .superRefine((value, context) => {
    const result = UiMessageShapeSchema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
  });
