import { operationFingerprint } from '../events/fingerprint.js';
import type { JsonValue } from '../events/json.js';
import type { EventType, OperationRecord, StoredEvent } from '../events/schemas.js';

/**
 * How many operation ids a state remembers: the last 10,000 applied. A constant of the format,
 * not an engine option: replay (any reader, any process) must remember the same ids as the live
 * engine did, and it knows nothing of the engine's options.
 */
export const MAX_OPERATION_IDS = 10_000;

/** One applied operation id. The fingerprint is computed when first needed, from the command. */
class Entry {
  constructor(
    readonly id: string,
    /** Position of the entry before it with the same id, or -1. */
    readonly previous: number,
    readonly result: JsonValue | undefined,
    private fingerprintValue: string | undefined,
    private command: Command | undefined,
  ) {}

  /** This entry at another place (a copied log), still fingerprinted only when first needed. */
  movedTo(previous: number): Entry {
    return new Entry(this.id, previous, this.result, this.fingerprintValue, this.command);
  }

  get fingerprint(): string {
    if (this.fingerprintValue === undefined) {
      this.fingerprintValue = operationFingerprint(this.command as Command);
      this.command = undefined;
    }
    return this.fingerprintValue;
  }
}

/**
 * The entries of one line of states, by position (positions count every entry the line ever
 * had; `entries[0]` is at `base`), and the latest position of each id.
 */
class OperationLog {
  readonly entries: Entry[] = [];
  readonly latest = new Map<string, number>();
  constructor(readonly base: number) {}
}

/**
 * The operation ids a state remembers: the entries at `[max(log.base, end - MAX_OPERATION_IDS),
 * end)` of a log that successive states share, as `SharedList` shares history. Remembering an id
 * on the newest state appends to the log and its map (O(1), whatever the number of ids); an
 * older state (a batch that was not committed) copies the ids it sees first. Later states' ids
 * sit past an older state's `end`, so it never sees them. Once the log holds as many forgotten
 * entries as the limit, the next append copies the live ones into a fresh log (amortized O(1));
 * older states keep the old one. `clear` starts an empty set.
 *
 * A class, so immer never drafts it.
 */
export class OperationSet {
  constructor(
    readonly log: OperationLog,
    readonly end: number,
  ) {}
}

/** What a state remembers of an operation id. */
export interface RememberedOperation {
  readonly fingerprint: string;
  readonly result: JsonValue | undefined;
  /** Where it is in its state's line: ids remembered by later states are at larger positions. */
  readonly position: number;
}

const windowStart = (set: OperationSet) => Math.max(set.log.base, set.end - MAX_OPERATION_IDS);

export function emptyOperations(): OperationSet {
  return new OperationSet(new OperationLog(0), 0);
}

export function operationCount(set: OperationSet): number {
  return set.end - windowStart(set);
}

export function findOperation(set: OperationSet, id: string): RememberedOperation | undefined {
  const { log } = set;
  let position = log.latest.get(id);
  // An id a later state remembered again (after a clear, in a batch never committed …): the
  // entry this state sees, if any, is an earlier one.
  while (position !== undefined && position >= set.end) {
    const previous = (log.entries[position - log.base] as Entry).previous;
    position = previous < log.base ? undefined : previous;
  }
  if (position === undefined || position < windowStart(set)) return undefined;
  const entry = log.entries[position - log.base] as Entry;
  return { fingerprint: entry.fingerprint, result: entry.result, position };
}

type Command = { readonly type: EventType; readonly data: unknown };

function push(log: OperationLog, id: string, entry: (previous: number) => Entry): void {
  const position = log.base + log.entries.length;
  log.entries.push(entry(log.latest.get(id) ?? -1));
  log.latest.set(id, position);
}

/** A fresh log holding the entries `set` sees, at the same positions. */
function copyOf(set: OperationSet): OperationLog {
  const from = windowStart(set);
  const copy = new OperationLog(from);
  for (let position = from; position < set.end; position++) {
    const entry = set.log.entries[position - set.log.base] as Entry;
    push(copy, entry.id, (previous) => entry.movedTo(previous));
  }
  return copy;
}

/** What a command with an operation id returned, as the state keeps it. */
function resultOf(event: StoredEvent): JsonValue | undefined {
  return event.type === 'checkpoint.created' ? event.data.id : undefined;
}

/** `set` with `event`'s operation id remembered. */
export function rememberOperation(set: OperationSet, event: StoredEvent, id: string): OperationSet {
  let { log } = set;
  const newest = set.end === log.base + log.entries.length;
  if (!newest || windowStart(set) - log.base >= MAX_OPERATION_IDS) log = copyOf(set);
  const command = { type: event.type, data: event.data };
  push(log, id, (previous) => new Entry(id, previous, resultOf(event), undefined, command));
  return new OperationSet(log, set.end + 1);
}

/** The ids `set` remembers, oldest first, as snapshots and `ContextState.operations` hold them. */
export function operationRecords(set: OperationSet): OperationRecord[] {
  const records: OperationRecord[] = [];
  for (let position = windowStart(set); position < set.end; position++) {
    const entry = set.log.entries[position - set.log.base] as Entry;
    records.push(
      entry.result === undefined
        ? { id: entry.id, fingerprint: entry.fingerprint }
        : { id: entry.id, fingerprint: entry.fingerprint, result: entry.result },
    );
  }
  return records;
}

/** The set a snapshot's records stand for (the last `MAX_OPERATION_IDS` of them). */
export function operationsFrom(records: readonly OperationRecord[]): OperationSet {
  const log = new OperationLog(0);
  for (const { id, result, fingerprint } of records) {
    push(log, id, (previous) => new Entry(id, previous, result, fingerprint, undefined));
  }
  return new OperationSet(log, records.length);
}
