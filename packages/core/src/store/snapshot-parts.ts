import { checkJsonData, STORED_EVENT_MAX_DEPTH } from '../events/json-data.js';
import type { ContextState } from '../projection/state.js';
import { snapshotObjectOf } from '../projection/state.js';

/**
 * The most characters of JSON a state written as one part holds: up to this, a snapshot is the
 * single line (or row) every reader knows. About a megabyte: small enough that no line comes near
 * the longest string JavaScript can build (~512 MiB).
 */
export const SNAPSHOT_LINE_CHARS = 1 << 20;

/**
 * The most characters of JSON each part of a larger state holds, unless one value alone is longer
 * (a message is never split). 64 KiB: a reader's line of a part then stays under V8's largest
 * regular object (128 KiB), so it dies young instead of waiting in large-object space for a full
 * collection; with ~1 MiB parts, reopening a 210 MB snapshot peaked 2% above replaying the
 * original and took as long (now 1% below and ~10% faster). A million messages are a few
 * thousand parts.
 */
export const SNAPSHOT_PART_CHARS = 1 << 16;

/**
 * One part of a `state.snapshotted`: the JSON text of its `data`. Part 0's is `{"state":{…}}`, a
 * whole snapshot state whose lists (messages, checkpoints, operation ids) and metadata hold only
 * their first items; each later part's is `{"messages":[…],"checkpoints":[…],"operations":[…],
 * "metadata":{…}}` (only the keys it has items of), items that continue those lists in order and
 * metadata entries to add. A state that fits in one part is one part: the single-line snapshot
 * every reader knows.
 */
export interface SnapshotPart {
  readonly index: number;
  /** The part that completes the snapshot. */
  readonly last: boolean;
  readonly text: string;
  /** How many of the state's messages this part carries (for a writer's progress). */
  readonly messages: number;
}

export interface SnapshotPartsOptions {
  /** Characters of JSON per part of a state split in parts (default `SNAPSHOT_PART_CHARS`). */
  readonly maxChars?: number;
  /**
   * A state whose JSON is at most this long is one part (default `SNAPSHOT_LINE_CHARS`, or
   * `maxChars` when that is given: a caller choosing a part size splits any state larger).
   */
  readonly maxSingleChars?: number;
}

type ListField = 'messages' | 'checkpoints' | 'operations' | 'metadata';
const LIST_FIELDS: readonly ListField[] = ['messages', 'checkpoints', 'operations', 'metadata'];
const isListField = (key: string): key is ListField => (LIST_FIELDS as string[]).includes(key);

/**
 * The parts of the snapshot of `state`, built one at a time: memory holds one part's text
 * besides the state, whatever the state's size. Each value is checked to be JSON data first (a
 * value JSON could not give back, such as NaN, is refused with its path: `ValidationError`), and a
 * state of a dialect this reader does not know is refused (`UnknownDialectError`), as
 * `snapshotStateOf` does. Joined (`createSnapshotAssembler`), the parts give exactly the event
 * `snapshotStateOf` would.
 */
export function snapshotParts<M>(
  state: ContextState<M>,
  options: SnapshotPartsOptions = {},
): Generator<SnapshotPart> {
  return snapshotStateParts(snapshotObjectOf(state), options);
}

/**
 * The parts of a snapshot state as a `state.snapshotted` event's data holds it (a store writing
 * such an event it was given): its keys in their order, fields it does not know kept in part 0,
 * so the joined parts are that same value.
 */
export function* snapshotStateParts(
  state: Readonly<Record<string, unknown>>,
  options: SnapshotPartsOptions = {},
): Generator<SnapshotPart> {
  const maxChars = options.maxChars ?? SNAPSHOT_PART_CHARS;
  const maxSingleChars = Math.max(
    maxChars,
    options.maxSingleChars ?? options.maxChars ?? SNAPSHOT_LINE_CHARS,
  );
  const keys = Object.keys(state).filter((key) => state[key] !== undefined);
  // Part 0 is the whole object, its lists holding the items given to it; scalars as they are.
  const scalars = new Map<string, string>();
  for (const key of keys) {
    if (isListField(key)) continue;
    checkJsonData(state[key], ['state', key], STORED_EVENT_MAX_DEPTH);
    scalars.set(key, JSON.stringify(state[key]));
  }
  const renderFirst = (items: Items) =>
    `{"state":{${keys
      .map((key) => {
        const name = JSON.stringify(key);
        if (!isListField(key)) return `${name}:${scalars.get(key)}`;
        const list = items[key].join(',');
        return key === 'metadata' ? `${name}:{${list}}` : `${name}:[${list}]`;
      })
      .join(',')}}}`;
  const renderLater = (items: Items) =>
    `{${LIST_FIELDS.filter((field) => items[field].length > 0)
      .map((field) =>
        field === 'metadata'
          ? `"metadata":{${items.metadata.join(',')}}`
          : `"${field}":[${items[field].join(',')}]`,
      )
      .join(',')}}`;
  // A field's first item in a part also brings its key and brackets (and a comma before them).
  const costIn = (items: Items, field: ListField, text: string) =>
    (items[field].length === 0 ? field.length + 6 : 0) + text.length + 1;

  // Whether the state fits in one part is known only once its items have been stringified:
  // they are held until it fits (the end) or does not (more than `maxSingleChars`), then split.
  const source = itemsOf(state);
  const whole = emptyItems();
  let wholeChars = renderFirst(whole).length;
  for (let next = source.next(); next.done !== true; next = source.next()) {
    const [field, text] = next.value;
    wholeChars += costIn(whole, field, text);
    whole[field].push(text);
    if (wholeChars > maxSingleChars) {
      yield* splitItems(whole, source);
      return;
    }
  }
  yield { index: 0, last: true, text: renderFirst(whole), messages: whole.messages.length };

  function* splitItems(
    first: Items,
    rest: Iterator<readonly [ListField, string]>,
  ): Generator<SnapshotPart> {
    let index = 0;
    let items = emptyItems();
    let chars = renderFirst(items).length;
    let count = 0;
    const render = () => (index === 0 ? renderFirst(items) : renderLater(items));
    const add = (field: ListField, text: string): SnapshotPart | undefined => {
      const cost = costIn(items, field, text);
      let done: SnapshotPart | undefined;
      // A part is never empty: an item too large for any part goes alone into its own.
      if (count > 0 && chars + cost > maxChars) {
        done = { index, last: false, text: render(), messages: items.messages.length };
        index++;
        items = emptyItems();
        chars = 2 + costIn(items, field, text);
        count = 0;
      } else {
        chars += cost;
      }
      items[field].push(text);
      count++;
      return done;
    };
    // `itemsOf` gives the fields in LIST_FIELDS' order: the held items in that order are its order.
    for (const field of LIST_FIELDS) {
      for (const text of first[field]) {
        const done = add(field, text);
        if (done !== undefined) yield done;
      }
    }
    for (let next = rest.next(); next.done !== true; next = rest.next()) {
      const done = add(next.value[0], next.value[1]);
      if (done !== undefined) yield done;
    }
    yield { index, last: true, text: render(), messages: items.messages.length };
  }
}

type Items = Record<ListField, string[]>;

const emptyItems = (): Items => ({ messages: [], checkpoints: [], operations: [], metadata: [] });

/** Each list item's JSON text, in the order parts carry them. */
function* itemsOf(
  state: Readonly<Record<string, unknown>>,
): Generator<readonly [ListField, string]> {
  for (const field of ['messages', 'checkpoints', 'operations'] as const) {
    const list = state[field];
    if (list === undefined) continue;
    const items = list as readonly unknown[];
    for (let i = 0; i < items.length; i++) {
      checkJsonData(items[i], ['state', field, i], STORED_EVENT_MAX_DEPTH);
      yield [field, JSON.stringify(items[i])];
    }
  }
  const metadata = (state.metadata ?? {}) as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    if (value === undefined) continue;
    checkJsonData(value, ['state', 'metadata', key], STORED_EVENT_MAX_DEPTH);
    yield ['metadata', `${JSON.stringify(key)}:${JSON.stringify(value)}`];
  }
}
