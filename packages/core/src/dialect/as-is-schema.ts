import { z } from 'zod';

/**
 * A schema that checks a value against `shape` and gives back the very value it was given (unknown
 * keys and all), for dialects of opaque messages. zod's loose objects copy their input key by key,
 * and assigning an own `"__proto__"` key (which JSON.parse makes) to the copy changes its prototype
 * instead, so a message holding one would come back without it: the shape is checked on the side
 * and its issues reported at their paths, the value never copied.
 */
export function asIsSchema<T>(shape: z.ZodType<T>): z.ZodType<T> {
  return z.custom<T>().superRefine((value, context) => {
    const result = shape.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue });
  });
}
