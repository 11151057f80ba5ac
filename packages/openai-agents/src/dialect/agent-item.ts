import { z } from 'zod';

/**
 * The item types `AgentInputItem` has in @openai/agents-core 0.20 (its `ModelItem` union), apart
 * from messages, which are told by `role` and have `type` `"message"` or none. A type outside this
 * list is refused: a newer SDK's new item type is a new version of the dialect, not a guess.
 */
export const AGENT_ITEM_TYPES = [
  'function_call',
  'function_call_result',
  'hosted_tool_call',
  'computer_call',
  'computer_call_result',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'tool_search_call',
  'tool_search_output',
  'program',
  'program_output',
  'reasoning',
  'compaction',
  'unknown',
] as const;

export const AGENT_MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;

/** A content part: any object with a string `type` (the SDK's unions grow with each release). */
const Part = z.looseObject({ type: z.string() });
const providerData = z.record(z.string(), z.unknown()).optional();

const MessageItem = z.discriminatedUnion('role', [
  z.looseObject({
    type: z.literal('message').optional(),
    role: z.literal('user'),
    content: z.union([z.string(), z.array(Part)]),
    providerData,
  }),
  z.looseObject({
    type: z.literal('message').optional(),
    role: z.literal('assistant'),
    content: z.array(Part),
    providerData,
  }),
  z.looseObject({
    type: z.literal('message').optional(),
    role: z.literal('system'),
    content: z.string(),
    providerData,
  }),
]);

/**
 * What identifies each non-message item, and the fields the runner pairs items by (a call's
 * `callId`, a compaction's payload); everything else is the SDK's to check, and kept as it is.
 */
const TypedItem = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('function_call'),
    callId: z.string(),
    name: z.string(),
    arguments: z.string(),
    providerData,
  }),
  z.looseObject({
    type: z.literal('function_call_result'),
    callId: z.string(),
    name: z.string(),
    output: z.union([z.string(), Part, z.array(Part)]),
    providerData,
  }),
  z.looseObject({ type: z.literal('reasoning'), content: z.array(Part), providerData }),
  z.looseObject({ type: z.literal('compaction'), encrypted_content: z.string(), providerData }),
  ...AGENT_ITEM_TYPES.filter(
    (type) =>
      type !== 'function_call' &&
      type !== 'function_call_result' &&
      type !== 'reasoning' &&
      type !== 'compaction',
  ).map((type) => z.looseObject({ type: z.literal(type), providerData })),
]);

/**
 * One `AgentInputItem` of @openai/agents-core 0.20 as this dialect sees it: an object with a known
 * `type` (or a message `role`), a `providerData` object if any, and any other fields. Typed loosely
 * on purpose so that this entry imports no SDK types; the session's API uses the SDK's own type.
 */
export type AgentItem = { readonly type?: string; readonly [key: string]: unknown };

/**
 * One item, given back as the very value passed in: zod's loose objects copy their input key by
 * key, and an own `"__proto__"` key (JSON.parse makes one) would become the copy's prototype, so
 * the shape is checked on the side and its issues reported at their paths.
 */
export const AgentItemSchema: z.ZodType<AgentItem> = z
  .custom<AgentItem>()
  .superRefine((value, context) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      context.addIssue({ code: 'custom', message: 'expected an item object' });
      return;
    }
    const { type } = value as { type?: unknown };
    const schema = type === undefined || type === 'message' ? MessageItem : TypedItem;
    const result = schema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
  });
