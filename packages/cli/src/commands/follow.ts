import { ContextClosedError } from '@contextlog/core';
import { createSerializer } from '@contextlog/core/store';
import { followFileSession } from '@contextlog/fs-adapter';
import type { Subscription } from 'rxjs';
import { checkInputFile, refuseOtherFormat } from '../input.js';
import { describeEvent } from '../output/describe-event.js';
import { createSink } from '../output/sink.js';
import type { Command } from './command.js';
import { flag } from './shared-options.js';

// Alike replay's entry in shape only (see Command): each command's text and run are its own.
export const followCommand: Command = {
  name: 'follow',
  summary: 'print the events of a session as a live writer commits them',
  positionals: ['FILE'],
  options: {
    json: { type: 'boolean', description: 'print each event as one JSON line (as stored)' },
  },
  description: [
    'Prints the events already in FILE, then each new event as soon as its line is complete,',
    'until Ctrl-C (exit 0). Reads only: takes no lock, changes nothing.',
  ],
  examples: [
    'contextlog follow session.jsonl',
    'contextlog follow session.jsonl --json | jq .type',
  ],
  async run({ values, positionals, io }) {
    const path = positionals[0] as string;
    refuseOtherFormat(path, (await checkInputFile(path)).format, 'follow');
    const json = flag(values, 'json');
    const sink = createSink(io.stdout);
    const events$ = followFileSession(path);

    return new Promise<number>((resolve, reject) => {
      // Events are written one at a time, in order; finishing waits for those already queued.
      const writes = createSerializer({ closedError: () => new ContextClosedError() });
      let subscription: Subscription | undefined;
      let finished = false;
      const finish = (outcome: () => void) => {
        if (finished) return;
        finished = true;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        subscription?.unsubscribe();
        writes.close().then(outcome, reject);
      };
      // Ctrl-C is how a user stops following: a normal end, not a failure.
      const onSignal = () => finish(() => resolve(0));
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      subscription = events$.subscribe({
        next(event) {
          const text = json ? `${JSON.stringify(event)}\n` : `${describeEvent(event).join('\n')}\n`;
          writes
            .run(async () => {
              await sink.write(text);
              await sink.flush();
            })
            // stdout closed (| head) or failed: stop following; main() decides what it means.
            // After the finish, an event still arriving is refused here and changes nothing.
            .catch((error: unknown) => finish(() => reject(error)));
        },
        error: (error: unknown) => finish(() => reject(error)),
        complete: () => finish(() => resolve(0)),
      });
      // The stream may have ended while subscribing, before `subscription` was set.
      if (finished) subscription.unsubscribe();
    });
  },
};
