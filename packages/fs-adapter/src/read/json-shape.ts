/**
 * Shape checks on freshly parsed JSON, shared by the fast paths that skip zod for values they can
 * prove valid (read/fast-event.ts for stored events, @contextlog/kimi's plain-message.ts for kimi-cli message
 * lines). Each says yes only when core's schemas would accept the value unchanged.
 */
export type Json = Record<string, unknown>;

export function isJsonRecord(value: unknown): value is Json {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    // JSON.parse makes "__proto__" an own key; a validating copy would not keep it as one.
    !Object.hasOwn(value, '__proto__')
  );
}

export const nullableString = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';

export const optionalOf = (value: unknown, kind: 'string' | 'boolean'): boolean =>
  value === undefined || typeof value === kind;

export const isRole = (value: unknown): boolean =>
  value === 'user' || value === 'assistant' || value === 'tool' || value === 'system';

/**
 * For a content part of a kind core knows (text, think, image/audio/video url): whether its fields
 * have the types core's schema wants. Undefined for any other kind, which each caller judges.
 */
export function knownPartIsValid(part: Json): boolean | undefined {
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string';
    case 'think':
      return typeof part.think === 'string' && nullableString(part.encrypted);
    case 'image_url':
    case 'audio_url':
    case 'video_url': {
      const media = part[part.type];
      return isJsonRecord(media) && typeof media.url === 'string' && nullableString(media.id);
    }
    default:
      return undefined;
  }
}

/** A tool call core's schema accepts unchanged (`arguments` a string or null). */
export function isToolCallShape(value: unknown): boolean {
  if (!isJsonRecord(value) || value.type !== 'function' || typeof value.id !== 'string')
    return false;
  const fn = value.function;
  if (!isJsonRecord(fn) || typeof fn.name !== 'string') return false;
  if (fn.arguments !== null && typeof fn.arguments !== 'string') return false;
  return value.extras === undefined || isJsonRecord(value.extras);
}

/** A count: a non-negative safe integer (a token count, a checkpoint id). */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
