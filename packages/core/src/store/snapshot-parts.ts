import { checkJsonData, STORED_EVENT_MAX_DEPTH } from '../events/json-data.js';
import type { ContextState } from '../projection/state.js';
import { snapshotLayoutOf } from '../projection/state.js';

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

/**
 * The parts of the snapshot of `state`, built one at a time: memory holds one part's text
 * besides the state, whatever the state's size. Each value is checked to be JSON data first (a
 * value JSON could not give back, such as NaN, is refused with its path: `ValidationError`), and a
 * state of a dialect this reader does not know is refused (`UnknownDialectError`), as
 * `snapshotStateOf` does. Joined (`createSnapshotAssembler`), the parts give exactly the event
 * `snapshotStateOf` would.
 */
export function* snapshotParts<M>(
  state: ContextState<M>,
  options: SnapshotPartsOptions = {},
): Generator<SnapshotPart> {
  const maxChars = options.maxChars ?? SNAPSHOT_PART_CHARS;
  const { head, declared, hasOperations } = snapshotLayoutOf(state);
  checkJsonData(head.systemPrompt, ['state', 'systemPrompt'], STORED_EVENT_MAX_DEPTH);
  // Part 0 renders its lists inside the state's own key order; the fields around them are fixed.
  const renderFirst = (items: Items) =>
    `{"state":{"systemPrompt":${JSON.stringify(head.systemPrompt)},"messages":[${items.messages.join(',')}],"tokenCount":${head.tokenCount},"pendingTextLength":${head.pendingTextLength},"nextCheckpointId":${head.nextCheckpointId},"checkpoints":[${items.checkpoints.join(',')}],"metadata":{${items.metadata.join(',')}}${declaredText(declared)},"seq":${head.seq}${hasOperations ? `,"operations":[${items.operations.join(',')}]` : ''}}}`;
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
  for (const [field, text] of itemsOf(state, hasOperations)) {
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

function declaredText(declared: { readonly dialect?: unknown; readonly estimator?: string }) {
  if (declared.dialect === undefined) return '';
  return `,"dialect":${JSON.stringify(declared.dialect)},"estimator":${JSON.stringify(declared.estimator)}`;
}

/** Each list item's JSON text, in the order parts carry them. */
function* itemsOf<M>(
  state: ContextState<M>,
  hasOperations: boolean,
): Generator<readonly [ListField, string]> {
  const { messages, checkpoints, metadata } = state;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    checkJsonData(message, ['state', 'messages', i], STORED_EVENT_MAX_DEPTH);
    yield ['messages', JSON.stringify(message)];
  }
  for (const mark of checkpoints) yield ['checkpoints', JSON.stringify(mark)];
  if (hasOperations) {
    for (const [i, record] of state.operations.entries()) {
      checkJsonData(record, ['state', 'operations', i], STORED_EVENT_MAX_DEPTH);
      yield ['operations', JSON.stringify(record)];
    }
  }
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    checkJsonData(value, ['state', 'metadata', key], STORED_EVENT_MAX_DEPTH);
    yield ['metadata', `${JSON.stringify(key)}:${JSON.stringify(value)}`];
  }
}
