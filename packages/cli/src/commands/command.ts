import type { Writable } from 'node:stream';

/** The streams a command writes to (the process's own, or a test's). */
export interface Io {
  readonly stdout: Writable & { readonly isTTY?: boolean };
  readonly stderr: Writable & { readonly isTTY?: boolean; readonly columns?: number };
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder shown in help for a string option's value. */
  readonly valueName?: string;
  readonly description: string;
  /**
   * Why a string value is wrong (a message naming the option), or undefined when it is fine.
   * Checked before the positionals are counted, so `--format FILE` says what is wrong with it.
   */
  readonly check?: (value: string) => string | undefined;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

export interface CommandContext {
  readonly values: OptionValues;
  /** Exactly the positionals the command declares, in order. */
  readonly positionals: readonly string[];
  readonly io: Io;
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Names of the required positional arguments, as help shows them (FILE, IN, OUT …). */
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs of help after the usage line. */
  readonly description: readonly string[];
  readonly examples?: readonly string[];
  /** Resolves with the exit code; throws `UsageError`, `FileError` or a contextlog error. */
  run(context: CommandContext): Promise<number>;
}

export function writeLines(io: Io, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}
