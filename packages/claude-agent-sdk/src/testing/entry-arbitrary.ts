import fc from 'fast-check';
import type { ClaudeEntry } from '../dialect/claude-entry.js';

export interface ArbClaudeEntryOptions {
  /**
   * The uuids to draw from (default: fresh UUIDs): a small pool makes repeats, as a retried or
   * re-imported batch has.
   */
  readonly uuids?: readonly string[];
}

const TYPES = ['user', 'assistant', 'system', 'summary', 'custom-title', 'tag', 'attachment'];

const arbContent = fc.oneof(
  fc.string(),
  fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('text'), text: fc.string() }),
      fc.record({ type: fc.constant('thinking'), thinking: fc.string() }),
      fc.record({
        type: fc.constant('tool_use'),
        id: fc.string(),
        name: fc.string(),
        input: fc.jsonValue(),
      }),
    ),
    { maxLength: 3 },
  ),
);

/**
 * A transcript entry as the SDK hands them to a store: a known or random `type` (never the
 * store's own `contextlog.summary`), mostly a `uuid` and `timestamp`, for user and assistant
 * entries a `message` with string or block content, and other JSON fields.
 */
export function arbClaudeEntry(options: ArbClaudeEntryOptions = {}): fc.Arbitrary<ClaudeEntry> {
  const uuid =
    options.uuids === undefined || options.uuids.length === 0
      ? fc.uuid()
      : fc.constantFrom(...options.uuids);
  return fc
    .record(
      {
        type: fc.oneof(
          fc.constantFrom(...TYPES),
          fc.string().filter((type) => type !== 'contextlog.summary'),
        ),
        uuid,
        timestamp: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        message: fc.record({ role: fc.constantFrom('user', 'assistant'), content: arbContent }),
        parentUuid: fc.option(fc.uuid()),
        extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      },
      { requiredKeys: ['type'] },
    )
    .map(({ extra, ...entry }) => ({ ...extra, ...entry }));
}

/** A batch of entries (possibly empty), as one `append` call gets them. */
export function arbClaudeEntries(
  options: ArbClaudeEntryOptions & { readonly maxLength?: number } = {},
): fc.Arbitrary<ClaudeEntry[]> {
  return fc.array(arbClaudeEntry(options), { maxLength: options.maxLength ?? 5 });
}
