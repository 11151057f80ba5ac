import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { operationFingerprint } from '../events/fingerprint.js';
import type { StoredEvent } from '../events/schemas.js';
import {
  emptyOperations,
  findOperation,
  MAX_OPERATION_IDS,
  type OperationSet,
  operationCount,
  operationRecords,
  operationsFrom,
  rememberOperation,
} from './operations.js';

const eventOf = (op: string, n: number): StoredEvent =>
  n % 2 === 0
    ? { seq: 1, v: 1, at: 'now', type: 'metadata.set', data: { key: 'k', value: n }, op }
    : {
        seq: 1,
        v: 1,
        at: 'now',
        type: 'checkpoint.created',
        data: { id: n, addUserMessage: false },
        op,
      };

/** What a set must remember: the last MAX_OPERATION_IDS entries, the latest of an id winning. */
type Model = readonly (readonly [string, StoredEvent])[];

function expectRemembers(set: OperationSet, model: Model): void {
  const window = model.slice(-MAX_OPERATION_IDS);
  expect(operationCount(set)).toBe(window.length);
  const records = operationRecords(set);
  expect(records.map((record) => record.id)).toEqual(window.map(([id]) => id));
  const lastOf = new Map(window.map((entry) => [entry[0], entry]));
  for (const id of new Set(model.map(([id]) => id))) {
    const last = lastOf.get(id);
    const found = findOperation(set, id);
    if (last === undefined) {
      expect(found).toBeUndefined();
      continue;
    }
    const [, event] = last;
    expect(found?.fingerprint).toBe(operationFingerprint(event));
    expect(found?.result).toBe(event.type === 'checkpoint.created' ? event.data.id : undefined);
  }
}

// Ids are remembered on any earlier set (the newest most often: the engine's case, appending to
// the shared log; an older one after a batch that was not committed), and every set made must
// remember exactly its own line's ids: never one a later set added.
test.prop(
  [
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(), fc.boolean()), {
      maxLength: 40,
    }),
    fc.nat(),
  ],
  { numRuns: 300 },
)(
  'a set sees exactly the ids of its own line, whatever was remembered after it',
  (steps, probe) => {
    const sets: [OperationSet, Model][] = [[emptyOperations(), []]];
    for (const [n, [id, pick, newest]] of steps.entries()) {
      const [set, model] = (newest ? sets.at(-1) : sets[pick % sets.length]) as [
        OperationSet,
        Model,
      ];
      const event = eventOf(id, n);
      sets.push([rememberOperation(set, event, id), [...model, [id, event]]]);
      const [probed, expected] = sets[probe % sets.length] as [OperationSet, Model];
      expectRemembers(probed, expected);
    }
    for (const [set, model] of sets) expectRemembers(set, model);
    const [last, model] = sets.at(-1) as [OperationSet, Model];
    expectRemembers(operationsFrom(operationRecords(last)), model);
  },
);

it(`remembers the last ${MAX_OPERATION_IDS} ids in O(1) each, and an older set keeps its own`, () => {
  let set = emptyOperations();
  const model: [string, StoredEvent][] = [];
  const older: [OperationSet, number][] = [];
  const logs = new Set<unknown>();
  for (let n = 0; n < 3 * MAX_OPERATION_IDS + 5; n++) {
    const event = eventOf(`op-${n}`, n);
    set = rememberOperation(set, event, `op-${n}`);
    model.push([`op-${n}`, event]);
    logs.add(set.log);
    if (n % 7919 === 0) older.push([set, n + 1]);
  }
  // A fresh log once per MAX_OPERATION_IDS forgotten ids: appends share it otherwise.
  expect(logs.size).toBeLessThanOrEqual(4);
  expectRemembers(set, model);
  expect(findOperation(set, 'op-0')).toBeUndefined();
  for (const [earlier, length] of older) expectRemembers(earlier, model.slice(0, length));
});
