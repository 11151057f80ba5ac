import { describe, expect } from 'vitest';
import { COMMANDS } from './commands/table.js';
import { it, oneLineError, runCli } from './test-support.test-helper.js';

describe('contextlog help and usage errors', () => {
  it('--help lists every command and exits 0', async ({ dir }) => {
    const result = await runCli(['--help'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command.name} `);
  });

  it('each command has its own --help (exit 0, stdout starts with its usage)', async ({ dir }) => {
    for (const command of COMMANDS) {
      const result = await runCli([command.name, '--help'], dir);
      expect(result.code, `${command.name}: ${result.stderr}`).toBe(0);
      expect(result.stdout.startsWith(`Usage: contextlog ${command.name}`)).toBe(true);
      for (const option of Object.keys(command.options)) {
        expect(result.stdout, `${command.name} --${option}`).toContain(`--${option}`);
      }
      const viaHelp = await runCli(['help', command.name], dir);
      expect(viaHelp.stdout).toBe(result.stdout);
    }
  });

  it('no command prints the help on stderr and exits 2', async ({ dir }) => {
    const result = await runCli([], dir);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: contextlog COMMAND');
  });

  const mistakes: [string, string[], RegExp][] = [
    ['an unknown command', ['replya', 'x.jsonl'], /unknown command "replya"/],
    ['an unknown flag', ['replay', 'x.jsonl', '--jsno'], /unknown option --jsno/],
    ['an unknown flag before the command', ['--jsno'], /unknown option --jsno/],
    ['a missing argument', ['replay'], /missing FILE/],
    ['a missing second argument', ['import-kimi', 'in.jsonl'], /missing OUT/],
    ['an extra argument', ['verify', 'a.jsonl', 'b.jsonl'], /unexpected argument "b.jsonl"/],
    ['a bad --format', ['replay', 'x.jsonl', '--format', 'xml'], /--format must be one of/],
    ['--format without a value', ['verify', 'x.jsonl', '--format'], /--format needs a value/],
    ['a value on a boolean flag', ['replay', 'x.jsonl', '--json=yes'], /--json takes no value/],
    ['a bad --at', ['fork', 'a.jsonl', 'b.jsonl', '--at=-1'], /--at must be a checkpoint id/],
    ['help for an unknown command', ['help', 'nope'], /unknown command "nope"/],
    [
      'a --format that took FILE as its value',
      ['replay', '--format', 'demo/session.jsonl'],
      /--format must be one of auto, contextlog, kimi, not "demo\/session\.jsonl"/,
    ],
    [
      'an --at that took IN as its value',
      ['fork', '--at', 'a.jsonl', 'b.jsonl'],
      /--at must be a checkpoint id .*"a\.jsonl"/,
    ],
    [
      'copy --session when the URL names the session',
      ['copy', 's.jsonl', 'postgres://u:pw@h/db?session=a', '--session', 'b'],
      /--session conflicts with the URL's \?session=/,
    ],
    [
      'copy --table when the URL names the table',
      ['copy', 'postgres://h/db?session=a&table=t', 'o.jsonl', '--table', 'u'],
      /--table conflicts with the URL's \?table=/,
    ],
    [
      'copy --session without a postgres:// location',
      ['copy', 'a.jsonl', 'b.jsonl', '--session', 'x'],
      /--session is for a postgres:\/\/ SOURCE or TARGET/,
    ],
  ];
  for (const [what, args, message] of mistakes) {
    it(`${what} is a usage error: one line on stderr, exit 2`, async ({ dir }) => {
      const result = await runCli(args, dir);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(oneLineError(result)).toMatch(message);
    });
  }
});
