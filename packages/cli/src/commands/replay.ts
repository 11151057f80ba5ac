import { describeReplay } from '../output/human.js';
import { createSink } from '../output/sink.js';
import { writeStateJson } from '../output/state-json.js';
import { type Command, writeLines } from './command.js';
import { QUIET_OPTION } from './file-progress.js';
import { readSession } from './read-session.js';
import { eventRangeOf, FROM_OPTION, printEvents, TAIL_OPTION } from './replay-events.js';
import { FORMAT_OPTION, flag, formatOf, LENIENT_OPTION, modeOf } from './shared-options.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a session file into state and print it',
  positionals: ['FILE'],
  options: {
    json: {
      type: 'boolean',
      description: 'print the state as exactly one JSON object (streamed: any size works)',
    },
    format: FORMAT_OPTION,
    lenient: LENIENT_OPTION,
    tail: TAIL_OPTION,
    from: FROM_OPTION,
    quiet: QUIET_OPTION,
  },
  description: [
    'Replays FILE, a contextlog session or a kimi-cli context.jsonl, into its state without',
    'changing the file, and prints the format, line and event counts, messages by role, token',
    "count with the pending estimate, checkpoints, metadata, the system prompt's first line,",
    'diagnostics and the last few messages.',
    '',
    'With --json, stdout is one object: {"format","systemPrompt","messages","tokenCount",',
    '"pendingTokenEstimate","tokenCountWithPending","nextCheckpointId","checkpoints","metadata",',
    '"dialect","estimator","seq","diagnostics"}, messages in the session\'s dialect (kimi-cli\'s',
    'message JSON shape unless it declares another), one per line.',
    '',
    'With --tail N and/or --from SEQ (contextlog sessions), prints events instead of the state:',
    'those from seq SEQ on, of them the last N, read as a stream and never folded, so the end of',
    'a session of any size shows in constant memory (lines as follow prints them; with --json,',
    'each event as its stored JSON line). A count line goes to stderr.',
  ],
  examples: [
    'contextlog replay session.jsonl',
    'contextlog replay session.jsonl --tail 20',
    'contextlog replay session.jsonl --from 1200 --json | jq .type',
    'contextlog replay ~/.kimi/sessions/abc/context.jsonl --json | jq .tokenCount',
  ],
  async run({ values, positionals, io }) {
    const path = positionals[0] as string;
    const range = eventRangeOf(values);
    if (range !== undefined) {
      return printEvents(path, io, {
        range,
        json: flag(values, 'json'),
        mode: modeOf(values),
        quiet: flag(values, 'quiet'),
      });
    }
    const result = await readSession(path, io, {
      format: formatOf(values, 'replay'),
      mode: modeOf(values),
      quiet: flag(values, 'quiet'),
    });
    if (flag(values, 'json')) {
      await writeStateJson(createSink(io.stdout), result.format, result.state, result.diagnostics);
    } else {
      writeLines(io, describeReplay(path, result));
    }
    return 0;
  },
};
