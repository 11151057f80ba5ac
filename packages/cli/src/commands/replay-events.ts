import type { StoredEvent } from '@contextlog/core';
import { type Diagnostic, readSessionEvents } from '@contextlog/fs-adapter';
import { DIALECTS } from '../dialects.js';
import { UsageError } from '../errors.js';
import { checkInputFile, refuseOtherFormat } from '../input.js';
import { describeEvent } from '../output/describe-event.js';
import { BYTES } from '../output/progress.js';
import { createSink } from '../output/sink.js';
import type { Io, OptionSpec, OptionValues } from './command.js';
import { sizeProgress } from './file-progress.js';

/** Which events `replay --tail`/`--from` prints: seq ≥ `from`, and of those the last `tail`. */
export interface EventRange {
  readonly from?: number;
  readonly tail?: number;
}

const COUNT = /^\d{1,9}$/;

function badCount(option: string, value: unknown): string {
  return option === 'tail'
    ? `--tail must be a number of events (1 or more), not ${JSON.stringify(value)}`
    : `--from must be a seq (1 or more), not ${JSON.stringify(value)}`;
}

const countOption = (
  option: 'tail' | 'from',
  valueName: string,
  description: string,
): OptionSpec => ({
  type: 'string',
  valueName,
  description,
  check: (value) => (COUNT.test(value) && Number(value) >= 1 ? undefined : badCount(option, value)),
});

export const TAIL_OPTION = countOption(
  'tail',
  'N',
  'print the last N events instead of the state (streamed: memory holds N events)',
);
export const FROM_OPTION = countOption(
  'from',
  'SEQ',
  'print the events from seq SEQ on instead of the state (streamed)',
);

/** The range asked for, or undefined when neither option is given (replay prints the state). */
export function eventRangeOf(values: OptionValues): EventRange | undefined {
  const read = (option: 'tail' | 'from'): number | undefined => {
    const value = values[option];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && COUNT.test(value) && Number(value) >= 1) return Number(value);
    throw new UsageError(badCount(option, value), 'replay');
  };
  const tail = read('tail');
  const from = read('from');
  if (tail === undefined && from === undefined) return undefined;
  return { ...(tail === undefined ? {} : { tail }), ...(from === undefined ? {} : { from }) };
}

/**
 * Prints the events of a contextlog session in `range`, one at a time as they are read: nothing
 * is folded, so memory holds at most `tail` events (none with `--from` alone) whatever the
 * file's size. Human lines as `follow` prints them, or each event as its stored JSON line.
 */
export async function printEvents(
  path: string,
  io: Io,
  options: { range: EventRange; json: boolean; mode: 'strict' | 'lenient'; quiet: boolean },
): Promise<number> {
  const { size, format } = await checkInputFile(path);
  refuseOtherFormat(path, format, 'replay --tail/--from');
  const { range, json } = options;
  const sink = createSink(io.stdout);
  const render = (event: StoredEvent) =>
    json ? `${JSON.stringify(event)}\n` : `${describeEvent(event).join('\n')}\n`;
  const diagnostics: Diagnostic[] = [];
  const progress = sizeProgress(io, size, BYTES.label, options.quiet);
  // The last `tail` events seen, as a ring: `next` is where the next one goes.
  const kept: StoredEvent[] = [];
  let next = 0;
  let total = 0;
  let matched = 0;
  try {
    for await (const event of readSessionEvents(path, {
      dialects: DIALECTS,
      mode: options.mode,
      diagnostics,
      ...progress.options,
    })) {
      total++;
      if (range.from !== undefined && event.seq < range.from) continue;
      matched++;
      if (range.tail === undefined) {
        await sink.write(render(event));
      } else {
        kept[next] = event;
        next = (next + 1) % range.tail;
      }
    }
  } finally {
    progress.done();
  }
  if (range.tail !== undefined) {
    // Oldest first: from `next` round to just before it (a ring not yet full starts at 0).
    const start = kept.length < range.tail ? 0 : next;
    for (let i = 0; i < kept.length; i++) {
      await sink.write(render(kept[(start + i) % kept.length] as StoredEvent));
    }
  }
  await sink.flush();
  for (const diagnostic of diagnostics) {
    io.stderr.write(`${path}:${diagnostic.line}: ${diagnostic.severity}: ${diagnostic.reason}\n`);
  }
  if (!json) {
    const shown = range.tail === undefined ? matched : Math.min(matched, range.tail);
    io.stderr.write(
      `${path}: ${shown} of ${total} event(s)${range.from === undefined ? '' : ` from seq ${range.from}`}\n`,
    );
  }
  return 0;
}
