import { checkInputFile, checkOutputFile } from '../input.js';
import type { CommandContext } from './command.js';
import { flag } from './shared-options.js';

/** What a command that writes OUT from IN works on, both checked before it starts. */
export interface InAndOut {
  readonly input: string;
  readonly output: string;
  /** --force: replace an existing OUT. */
  readonly force: boolean;
}

/** IN must be a readable file; OUT must not be IN, and may exist only with --force. */
export async function checkInAndOut({
  values,
  positionals,
}: Pick<CommandContext, 'values' | 'positionals'>): Promise<InAndOut> {
  const [input, output] = positionals as [string, string];
  await checkInputFile(input);
  const force = flag(values, 'force');
  await checkOutputFile(output, { force, input });
  return { input, output, force };
}
