import type { Command } from './commands/command.js';
import { COMMANDS } from './commands/table.js';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'contextlog: replay, check, convert, follow, list and delete LLM agent session files',
    '(contextlog sessions and kimi-cli context.jsonl files) and sessions in PostgreSQL.',
    '',
    'Usage: contextlog COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also after a command: contextlog replay --help)',
    '  --version      print the version',
    '',
    'Exit codes: 0 ok, 1 a bad file (missing, not a session, corrupt, locked, in the way),',
    '2 a usage error.',
    '',
    'Try: contextlog demo',
  ].join('\n');
}

export function usageLine(command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) =>
    spec.type === 'string' ? `[--${name} ${spec.valueName ?? 'VALUE'}]` : `[--${name}]`,
  );
  return ['contextlog', command.name, ...command.positionals, ...options].join(' ');
}

export function commandHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flagText = `${spec.short === undefined ? '' : `-${spec.short}, `}--${name}${
      spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''
    }`;
    return [flagText, spec.description] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flagText]) => flagText.length)) + 2;
  const lines = [
    `Usage: ${usageLine(command)}`,
    '',
    `${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`,
    '',
    ...command.description,
    '',
    'Options:',
    ...rows.map(([flagText, description]) => `  ${flagText.padEnd(width)}${description}`),
  ];
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  }
  return lines.join('\n');
}
