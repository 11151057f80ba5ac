import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import {
  appendToList,
  emptyList,
  findInList,
  forEachItem,
  itemAt,
  listOf,
  materializeList,
  replaceItem,
  replaceTail,
  type SharedList,
  toArray,
  truncateList,
} from './shared-list.js';

type Step =
  | { readonly op: 'append'; readonly items: readonly number[] }
  | { readonly op: 'truncate'; readonly to: number }
  | { readonly op: 'replaceTail'; readonly from: number; readonly items: readonly number[] }
  | { readonly op: 'replaceItem'; readonly at: number; readonly item: number };

const arbItems = fc.array(fc.integer(), { maxLength: 4 });
const arbStep: fc.Arbitrary<Step> = fc.oneof(
  arbItems.map((items): Step => ({ op: 'append', items })),
  fc.nat(12).map((to): Step => ({ op: 'truncate', to })),
  fc.tuple(fc.nat(12), arbItems).map(([from, items]): Step => ({ op: 'replaceTail', from, items })),
  fc.tuple(fc.nat(12), fc.integer()).map(([at, item]): Step => ({ op: 'replaceItem', at, item })),
);

function applyStep(
  list: SharedList<number>,
  model: readonly number[],
  step: Step,
): [SharedList<number>, number[]] {
  switch (step.op) {
    case 'append':
      return [appendToList(list, step.items), [...model, ...step.items]];
    case 'truncate':
      return [truncateList(list, step.to), model.slice(0, step.to)];
    case 'replaceTail': {
      const from = Math.min(step.from, model.length);
      return [replaceTail(list, from, step.items), [...model.slice(0, from), ...step.items]];
    }
    case 'replaceItem': {
      if (model.length === 0) return [list, model.slice()];
      const at = step.at % model.length;
      const next = model.slice();
      next[at] = step.item;
      return [replaceItem(list, at, step.item), next];
    }
  }
}

function expectSees(list: SharedList<number>, model: readonly number[]): void {
  expect(list.length).toBe(model.length);
  expect(toArray(list)).toEqual(model);
  expect(materializeList(list)).toEqual(model);
  for (let i = -1; i <= model.length; i++) expect(itemAt(list, i)).toBe(model[i]);
  const seen: number[] = [];
  forEachItem(list, 1, model.length, (item, index) => {
    expect(index).toBe(seen.length + 1);
    seen.push(item);
  });
  expect(seen).toEqual(model.slice(1));
  const last = model.at(-1);
  if (last !== undefined)
    expect(findInList(list, (item) => item === last)).toBe(model.indexOf(last));
}

// Each step edits any earlier state (the newest most often: the engine's case), so edits at the end
// of the newest state write into the shared array while older states must keep seeing their own
// items: every state made is checked at the end, and after every step against a random earlier one.
// The first state is empty, or a list over a caller's (frozen) array, as a snapshot's is: that
// array must never be written (a write to a frozen array throws here), and stays as it was.
test.prop(
  [
    fc.array(fc.tuple(arbStep, fc.nat(), fc.boolean()), { maxLength: 40 }),
    fc.nat(),
    fc.option(fc.array(fc.integer(), { maxLength: 6 })),
  ],
  { numRuns: 500 },
)('every state sees exactly its own items, whatever was edited after it', (steps, probe, given) => {
  const initial = given === null ? undefined : Object.freeze(given.slice());
  const states: [SharedList<number>, number[]][] = [
    initial === undefined ? [emptyList(), []] : [listOf(initial), initial.slice()],
  ];
  for (const [step, pick, newest] of steps) {
    const base = newest
      ? (states.at(-1) as [SharedList<number>, number[]])
      : (states[pick % states.length] as [SharedList<number>, number[]]);
    states.push(applyStep(base[0], base[1], step));
    const [probed, model] = states[probe % states.length] as [SharedList<number>, number[]];
    expectSees(probed, model);
  }
  for (const [list, model] of states) expectSees(list, model);
  if (given !== null) expect(initial).toEqual(given);
});

it('an edit at the end of the newest of a million items copies nothing', () => {
  const items = Array.from({ length: 1_000_000 }, (_, i) => i);
  let list = appendToList(emptyList<number>(), items);
  const older = list;
  const started = performance.now();
  for (let i = 0; i < 1000; i++) {
    list = replaceTail(list, list.length - 2, [i, i + 1, i + 2]);
    list = replaceItem(list, list.length - 1, -i);
  }
  const elapsed = performance.now() - started;
  // A copy of the history per edit would be ~2000 copies of a million items (seconds).
  expect(elapsed).toBeLessThan(200);
  expect(list.length).toBe(1_000_000 + 1000);
  expect(itemAt(older, 999_999)).toBe(999_999);
  expect(itemAt(list, 999_999)).toBe(1);
  expect(itemAt(list, list.length - 1)).toBe(-999);
  expect(list.log).toBe(older.log);
});

it("reads a frozen array borrowed whole as it is, and copies a caller's unfrozen array", () => {
  const frozen = Object.freeze([{ n: 1 }, { n: 2 }]);
  const whole = materializeList(listOf(frozen));
  expect(whole).toBe(frozen);
  expect(Object.isFrozen(whole[0])).toBe(true);
  const cut = materializeList(truncateList(listOf(frozen), 1));
  expect(cut).not.toBe(frozen);
  expect(cut).toEqual([{ n: 1 }]);

  const mutable = [{ n: 1 }];
  const read = materializeList(listOf(mutable));
  expect(read).not.toBe(mutable);
  expect(read).toEqual(mutable);
  expect(Object.isFrozen(mutable)).toBe(false);
});
