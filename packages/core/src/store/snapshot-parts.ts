import { checkJsonData, STORED_EVENT_MAX_DEPTH } from '../events/json-data.js';
import type { ContextState } from '../projection/state.js';
import { snapshotObjectOf } from '../projection/state.js';

/**
 * The most characters of JSON a snapshot part holds, unless one value alone is longer (a message
 * is never split). About a megabyte: small enough that no line or row comes near the longest
 * string JavaScript can build (~512 MiB), large enough that a state of a million messages is a
 * few hundred parts.
 */
export const SNAPSHOT_PART_CHARS = 1 << 20;

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
  /** Characters of JSON per part (default `SNAPSHOT_PART_CHARS`). */
  readonly maxChars?: number;
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

  let index = 0;
  let items = emptyItems();
  let chars = renderFirst(items).length;
  let held = 0;
  const render = () => (index === 0 ? renderFirst(items) : renderLater(items));
  for (const [field, text] of itemsOf(state)) {
    // A field's first item also brings its key and brackets (and a comma before them).
    const cost = (items[field].length === 0 ? field.length + 6 : 0) + text.length + 1;
    // A part is never empty: an item too large for any part goes alone into its own.
    if (held > 0 && chars + cost > maxChars) {
      yield { index, last: false, text: render(), messages: items.messages.length };
      index++;
      items = emptyItems();
      chars = 2;
      held = 0;
      chars += field.length + 6 + text.length + 1;
    } else {
      chars += cost;
    }
    items[field].push(text);
    held++;
  }
  yield { index, last: true, text: render(), messages: items.messages.length };
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
