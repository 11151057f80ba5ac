import { z } from 'zod';

/**
 * Messages keep kimi-cli's JSON shape (kosong's `Message`), so a session file can be read by
 * either tool. Objects are loose: fields a newer writer adds are carried along, never dropped.
 */
const MediaRefSchema = z.looseObject({
  url: z.string(),
  id: z.string().nullable().optional(),
});

export const TextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
export const ThinkPartSchema = z.looseObject({
  type: z.literal('think'),
  think: z.string(),
  encrypted: z.string().nullable().optional(),
});
export const ImageUrlPartSchema = z.looseObject({
  type: z.literal('image_url'),
  image_url: MediaRefSchema,
});
export const AudioUrlPartSchema = z.looseObject({
  type: z.literal('audio_url'),
  audio_url: MediaRefSchema,
});
export const VideoUrlPartSchema = z.looseObject({
  type: z.literal('video_url'),
  video_url: MediaRefSchema,
});

const KnownPartSchema = z.discriminatedUnion('type', [
  TextPartSchema,
  ThinkPartSchema,
  ImageUrlPartSchema,
  AudioUrlPartSchema,
  VideoUrlPartSchema,
]);

export const KNOWN_PART_TYPES: ReadonlySet<string> = new Set(
  KnownPartSchema.options.map((schema) => schema.shape.type.value),
);

/**
 * A part kind from a newer writer is kept verbatim and counts as no text, so no reader ever loses
 * a message because of it (kimi-cli's restore crashes on one).
 */
export const UnknownPartSchema = z
  .looseObject({ type: z.string() })
  .refine((part) => !KNOWN_PART_TYPES.has(part.type), {
    message: 'a known part type with an invalid shape',
    abort: true,
  });

export const ContentPartSchema = z.union([KnownPartSchema, UnknownPartSchema]);

/**
 * A tool call's free-form `extras`: any JSON object, kept as given. Not `z.record`, which copies
 * the object key by key and so loses an own `"__proto__"` key (JSON.parse makes one; assigning it
 * on a copy changes the copy's prototype instead), a silent change between a file and its replay.
 */
const ExtrasSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { message: 'expected an object' },
);

export const ToolCallSchema = z.looseObject({
  type: z.literal('function'),
  id: z.string(),
  function: z.looseObject({
    name: z.string(),
    // null is legal: kimi-cli drops the field on write and then loses the message; we keep it.
    arguments: z.string().nullable(),
  }),
  extras: ExtrasSchema.optional(),
});

export const RoleSchema = z.enum(['system', 'user', 'assistant', 'tool']);

export const MessageSchema = z.looseObject({
  role: RoleSchema,
  content: z.union([z.string(), z.array(ContentPartSchema)]),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  partial: z.boolean().optional(),
});

export type TextPart = z.infer<typeof TextPartSchema>;
export type ThinkPart = z.infer<typeof ThinkPartSchema>;
export type ImageUrlPart = z.infer<typeof ImageUrlPartSchema>;
export type AudioUrlPart = z.infer<typeof AudioUrlPartSchema>;
export type VideoUrlPart = z.infer<typeof VideoUrlPartSchema>;
export type ContentPart = z.infer<typeof ContentPartSchema>;
export type ToolCall = z.infer<typeof ToolCallSchema>;
export type Role = z.infer<typeof RoleSchema>;
export type Message = z.infer<typeof MessageSchema>;

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Length in Unicode code points, as Python's `len` counts (a surrogate pair is one). */
export function codePointLength(text: string): number {
  if (!HIGH_SURROGATE.test(text)) return text.length;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length;
}

/** Code points of the message's `text` parts: what kimi-cli's pending token estimate counts. */
export function textLength(message: Message): number {
  const { content } = message;
  if (typeof content === 'string') return codePointLength(content);
  let length = 0;
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') length += codePointLength(part.text);
  }
  return length;
}

/** The user message kimi-cli appends with `checkpoint(add_user_message=True)`. */
export function checkpointMessage(id: number): Message {
  return { role: 'user', content: `<system>CHECKPOINT ${id}</system>` };
}
