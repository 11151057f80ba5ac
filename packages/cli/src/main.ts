import { type ParseArgsConfig, parseArgs } from 'node:util';
import { codeOf } from '@contextlog/core';
import type { Command, Io, OptionValues } from './commands/command.js';
import { findCommand } from './commands/table.js';
import { UsageError } from './errors.js';
import { commandHelp, mainHelp } from './help.js';
import { reportError } from './report-error.js';
import { VERSION } from './version.js';

/**
 * Runs the contextlog command line on `argv` (without node and the script) and resolves with
 * the exit code; every failure has been written to `io.stderr` by then.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (codeOf(error) === 'EPIPE') return 0; // the reader went away (| head)
    const report = reportError(error);
    io.stderr.write(`${report.text}\n`);
    return report.exitCode;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`${mainHelp()}\n`);
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(`${mainHelp()}\n`);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === 'help') {
    const name = rest[0];
    if (name === undefined) {
      io.stdout.write(`${mainHelp()}\n`);
      return 0;
    }
    io.stdout.write(`${commandHelp(requireCommand(name))}\n`);
    return 0;
  }
  if (first.startsWith('-'))
    throw new UsageError(`unknown option ${first} (a command comes first)`);
  const command = requireCommand(first);
  const parsed = parseCommandArgs(command, rest);
  if (parsed === 'help') {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  return command.run({ ...parsed, io });
}

function requireCommand(name: string): Command {
  const command = findCommand(name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command;
}

function parseCommandArgs(
  command: Command,
  args: readonly string[],
): { values: OptionValues; positionals: readonly string[] } | 'help' {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] =
      spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true }) as {
      values: OptionValues;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), command.name);
  }
  if (parsed.values.help === true) return 'help';
  // A value checked first: with `--format FILE`, FILE is taken as the value and the real mistake
  // is the format, not a missing FILE.
  for (const [name, spec] of Object.entries(command.options)) {
    const value = parsed.values[name];
    const problem = typeof value === 'string' ? spec.check?.(value) : undefined;
    if (problem !== undefined) throw new UsageError(problem, command.name);
  }
  const expected = command.positionals;
  if (parsed.positionals.length < expected.length) {
    const missing = expected.slice(parsed.positionals.length).join(' ');
    throw new UsageError(`${command.name}: missing ${missing}`, command.name);
  }
  if (parsed.positionals.length > expected.length) {
    const extra = parsed.positionals.slice(expected.length).join(' ');
    throw new UsageError(
      `${command.name}: unexpected argument ${JSON.stringify(extra)}`,
      command.name,
    );
  }
  for (const value of parsed.positionals) {
    if (value === '') throw new UsageError(`${command.name}: an empty path`, command.name);
  }
  return parsed;
}

/** node:util's messages are long and name its own API; keep the part that names the flag. */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  const option = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return `unknown option ${option}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    const name = option.split(' ')[0];
    if (message.includes('argument missing')) return `option ${name} needs a value`;
    if (message.includes('ambiguous')) {
      return `option ${name} needs a value (write ${name}=VALUE for a value starting with -)`;
    }
    return `option ${name} takes no value`;
  }
  return message.split('. ')[0] ?? message;
}
