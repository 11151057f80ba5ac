import { isRecord } from './json.js';
import type { EventType } from './schemas.js';

/** Turns the data of `type` at version `from` into its shape at `from + 1`. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Version 0 is the pre-release format: one message per event and snake_case usage. Files written
 * by it still replay, through these functions, as the same events at version 1.
 */
const UPCASTERS: Partial<Record<EventType, Readonly<Record<number, Upcaster>>>> = {
  'messages.appended': {
    0: (data) => (isRecord(data) && 'message' in data ? { messages: [data.message] } : data),
  },
  'usage.recorded': {
    0: (data) =>
      isRecord(data) && 'token_count' in data ? { tokenCount: data.token_count } : data,
  },
};

export function findUpcaster(type: EventType, from: number): Upcaster | undefined {
  return UPCASTERS[type]?.[from];
}
