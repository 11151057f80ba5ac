import { checkJsonData } from '@contextlog/core/store';

/**
 * A deep copy of items on their way into the engine, which freezes what it stores: the SDK's
 * own objects must stay the SDK's to change. What cannot be copied (a function, a symbol…) is
 * refused as the engine would refuse it, with a `ValidationError` naming its path.
 */
export function cloneItems<T>(items: readonly T[]): T[] {
  checkJsonData(items);
  return structuredClone(items) as T[];
}
