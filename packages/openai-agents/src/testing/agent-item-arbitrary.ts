import fc from 'fast-check';
import type { AgentItem } from '../dialect/agent-item.js';

export interface ArbAgentItemOptions {
  /** The call ids function calls and results draw from (few, so that items share them). */
  readonly callIds?: readonly string[];
}

const text = () => fc.string({ maxLength: 12 });
const providerData = () =>
  fc.dictionary(
    fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__'),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 2 },
  );

/** Optional keys are left out, never `undefined`: a session keeps JSON data. */
const optional = { requiredKeys: [] as never[] };

/**
 * Arbitrary `AgentInputItem`s of @openai/agents-core 0.20 that its own `protocol.ModelItem`
 * accepts as they are (so `MemorySession` takes them in transactions too): user, assistant and
 * system messages, function calls and results, reasoning, compaction and unknown items, with
 * ids and `providerData` at times.
 */
export function arbAgentItem(options: ArbAgentItemOptions = {}): fc.Arbitrary<AgentItem> {
  const callId = fc.constantFrom(...(options.callIds ?? ['call_1', 'call_2', 'call_3']));
  const base = { id: text(), providerData: providerData() };
  const user = fc
    .tuple(
      fc.record({
        role: fc.constant('user' as const),
        content: fc.oneof(
          text(),
          fc.array(fc.record({ type: fc.constant('input_text'), text: text() }), { maxLength: 2 }),
        ),
      }),
      fc.record({ type: fc.constant('message'), ...base }, optional),
    )
    .map(([required, rest]) => ({ ...required, ...rest }));
  const assistant = fc
    .tuple(
      fc.record({
        role: fc.constant('assistant' as const),
        status: fc.constantFrom('completed', 'in_progress', 'incomplete'),
        content: fc.array(
          fc.oneof(
            fc.record({ type: fc.constant('output_text'), text: text() }),
            fc.record({ type: fc.constant('refusal'), refusal: text() }),
          ),
          { maxLength: 2 },
        ),
      }),
      fc.record({ type: fc.constant('message'), ...base }, optional),
    )
    .map(([required, rest]) => ({ ...required, ...rest }));
  const system = fc.record({ role: fc.constant('system' as const), content: text() });
  const functionCall = fc
    .tuple(
      fc.record({
        type: fc.constant('function_call' as const),
        callId,
        name: fc.constantFrom('lookup', 'add'),
        arguments: fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value)),
      }),
      fc.record({ status: fc.constantFrom('completed', 'in_progress'), ...base }, optional),
    )
    .map(([required, rest]) => ({ ...required, ...rest }));
  const functionResult = fc.record({
    type: fc.constant('function_call_result' as const),
    callId,
    name: fc.constantFrom('lookup', 'add'),
    status: fc.constant('completed'),
    output: fc.oneof(text(), fc.record({ type: fc.constant('text'), text: text() })),
  });
  const reasoning = fc
    .tuple(
      fc.record({
        type: fc.constant('reasoning' as const),
        content: fc.array(fc.record({ type: fc.constant('input_text'), text: text() }), {
          maxLength: 2,
        }),
      }),
      fc.record(
        {
          rawContent: fc.array(fc.record({ type: fc.constant('reasoning_text'), text: text() }), {
            maxLength: 1,
          }),
          ...base,
        },
        optional,
      ),
    )
    .map(([required, rest]) => ({ ...required, ...rest }));
  const compaction = fc.record({
    type: fc.constant('compaction' as const),
    encrypted_content: text(),
  });
  const unknown = fc
    .tuple(fc.record({ type: fc.constant('unknown' as const) }), fc.record(base, optional))
    .map(([required, rest]) => ({ ...required, ...rest }));
  return fc.oneof(
    { arbitrary: user, weight: 3 },
    { arbitrary: assistant, weight: 3 },
    { arbitrary: system, weight: 1 },
    { arbitrary: functionCall, weight: 3 },
    { arbitrary: functionResult, weight: 2 },
    { arbitrary: reasoning, weight: 1 },
    { arbitrary: compaction, weight: 1 },
    { arbitrary: unknown, weight: 1 },
  );
}

/** Lists of `arbAgentItem`. */
export function arbAgentItems(
  options: ArbAgentItemOptions & { readonly maxLength?: number } = {},
): fc.Arbitrary<AgentItem[]> {
  return fc.array(arbAgentItem(options), { maxLength: options.maxLength ?? 4 });
}
