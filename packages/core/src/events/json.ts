import { z } from 'zod';

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be a finite number'),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);

/**
 * Freezes a freshly parsed JSON value in place, so a committed state can never be mutated. Every
 * command's data goes through it: `for…in` instead of `Object.keys` (no key array per object)
 * measured 0.5 → 0.3 µs a message. Freezing before descending also ends on a cycle.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i] as unknown);
  } else {
    // JSON data are plain objects: their enumerable keys are their own.
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Freezes every object of `value`, descending also into objects that are frozen already: a caller
 * may pass a shallowly frozen object in a message field, whose children `deepFreeze` (which stops
 * at a frozen object, so re-reading a state stays cheap) would leave mutable. Only for data that
 * `checkJsonData` accepted (commands, and stored events through `parseStoredEvent`): it has no
 * cycle and a bounded depth.
 */
export function freezeCheckedData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeCheckedData(value[i] as unknown);
  } else {
    for (const key in value) freezeCheckedData((value as Record<string, unknown>)[key]);
  }
  return value;
}
