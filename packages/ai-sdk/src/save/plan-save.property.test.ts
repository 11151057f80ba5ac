import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { UiMessage } from '../dialect/ui-message.js';
import { arbUiMessage, arbUiMessagePart, arbUiMessages } from '../testing/index.js';
import { jsonEqual } from './json-equal.js';
import { planSave, type SavePlan } from './plan-save.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** What a store holds after carrying out `plan` on `stored`. */
function apply<M>(stored: readonly M[], plan: SavePlan<M>): M[] {
  switch (plan.kind) {
    case 'unchanged':
      return [...stored];
    case 'append':
      return [...stored, ...plan.messages];
    case 'replace':
      expect(jsonEqual(plan.expectedSuffix, stored.slice(plan.from))).toBe(true);
      return [...stored.slice(0, plan.from), ...plan.messages];
  }
}

/** The same JSON written as the SDK might: keys reordered, some set to `undefined`. */
function rewritten(message: UiMessage): UiMessage {
  const parts = message.parts.map((part) => ({ providerMetadata: undefined, ...part }));
  const { id, role, ...rest } = message;
  return { ...rest, parts, role, id, ...{ state: undefined } };
}

const uniqueIds = (messages: readonly UiMessage[]) =>
  new Set(messages.map((message) => message.id)).size === messages.length;

/**
 * A stored chat and what a later save brings: the same list (maybe rewritten), a longer one
 * (a new turn), one whose message at some index changed (a tool output added, a streamed reply
 * finished), one cut and continued (a regenerate), or an unrelated one.
 */
const arbSaves = arbUiMessages({ maxLength: 6 }).chain((stored) => {
  const cut = fc.nat({ max: stored.length });
  const newMessages = fc.array(arbUiMessage(), { maxLength: 3 });
  return fc.tuple(
    fc.constant(stored),
    fc.oneof(
      fc.constant(stored),
      fc.constant(stored.map(rewritten)),
      newMessages.map((added) => [...stored, ...added]),
      fc
        .tuple(cut, arbUiMessagePart())
        .map(([at, part]) =>
          stored.map((message, i) =>
            i === at ? { ...message, parts: [...message.parts, part] } : message,
          ),
        ),
      fc.tuple(cut, newMessages).map(([at, added]) => [...stored.slice(0, at), ...added]),
      arbUiMessages({ maxLength: 6 }),
    ),
  );
});

describe('planSave', () => {
  test.prop([arbSaves], { numRuns: RUNS })(
    'carried out on the stored list, gives the incoming one (as JSON)',
    ([stored, incoming]) => {
      fc.pre(uniqueIds(incoming));
      expect(jsonEqual(apply(stored, planSave(stored, incoming)), incoming)).toBe(true);
    },
  );

  test.prop([arbSaves], { numRuns: RUNS })(
    'saving the same list again plans nothing',
    ([stored, incoming]) => {
      fc.pre(uniqueIds(incoming));
      const after = apply(stored, planSave(stored, incoming));
      expect(planSave(after, incoming)).toEqual({ kind: 'unchanged' });
      expect(planSave(after, incoming.map(rewritten))).toEqual({ kind: 'unchanged' });
      expect(planSave(incoming, incoming)).toEqual({ kind: 'unchanged' });
    },
  );

  test.prop([arbSaves], { numRuns: RUNS })(
    'replaces nothing the two lists share: it starts at the first message that differs',
    ([stored, incoming]) => {
      fc.pre(uniqueIds(incoming));
      const plan = planSave(stored, incoming);
      const from = plan.kind === 'replace' ? plan.from : stored.length;
      for (let i = 0; i < from; i++) expect(jsonEqual(stored[i], incoming[i])).toBe(true);
      if (plan.kind === 'unchanged') expect(incoming).toHaveLength(stored.length);
      if (plan.kind === 'append') expect(incoming.length).toBeGreaterThan(stored.length);
      if (plan.kind === 'replace') {
        expect(from).toBeLessThan(stored.length);
        if (from < incoming.length) {
          expect(jsonEqual(stored[from], incoming[from])).toBe(false);
        }
      }
    },
  );

  test.prop(
    [arbUiMessages({ minLength: 1 }), arbUiMessages(), fc.nat(), fc.constantFrom('', undefined, 7)],
    {
      numRuns: RUNS,
    },
  )('refuses a message without an id, wherever it is', (incoming, stored, at, id) => {
    const index = at % incoming.length;
    const bad = incoming.map((message, i) => (i === index ? { ...message, id } : message));
    expect(() => planSave(stored, bad as UiMessage[])).toThrow(
      expect.objectContaining({ code: 'EMPTY_MESSAGE_ID', index }),
    );
  });

  test.prop([arbUiMessages({ minLength: 2 }), arbUiMessages(), fc.nat(), fc.nat()], {
    numRuns: RUNS,
  })('refuses two messages with one id, wherever they are', (incoming, stored, a, b) => {
    const first = a % incoming.length;
    const second = b % incoming.length;
    fc.pre(first !== second);
    const [i, j] = first < second ? [first, second] : [second, first];
    const id = incoming[i]?.id ?? '';
    const bad = incoming.map((message, k) => (k === j ? { ...message, id } : message));
    expect(() => planSave(stored, bad)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_MESSAGE_ID', id, indices: [i, j] }),
    );
  });
});
