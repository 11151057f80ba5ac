import type { OptionValues } from '../commands/command.js';
import { UsageError } from '../errors.js';

/** The URL's own query parameter, or undefined (also for a URL that does not parse: the reader reports it). */
export function urlParameter(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * `--session` and `--table` fill in what a postgres:// URL leaves out; given in both places, they
 * are a mistake (which one was meant?), not something to choose between silently.
 */
export function urlOptions(
  url: string,
  values: OptionValues,
  command: string,
): { sessionId?: string; table?: string } {
  const options: { sessionId?: string; table?: string } = {};
  for (const name of ['session', 'table'] as const) {
    const value = values[name];
    if (typeof value !== 'string') continue;
    if (urlParameter(url, name) !== undefined) {
      throw new UsageError(
        `--${name} conflicts with the URL's ?${name}= (give the ${name} in one place)`,
        command,
      );
    }
    if (name === 'session') options.sessionId = value;
    else options.table = value;
  }
  return options;
}
