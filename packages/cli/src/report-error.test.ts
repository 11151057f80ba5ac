import { CorruptSessionError, ValidationError } from '@contextlog/core';
import { SessionLockedError, StateTooLargeError } from '@contextlog/fs-adapter';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { FileError, UsageError } from './errors.js';
import { oneLine, reportError } from './report-error.js';

describe('reportError', () => {
  it('a usage error: exit 2, one line pointing to the help', () => {
    expect(reportError(new UsageError('missing FILE', 'replay'))).toEqual({
      exitCode: 2,
      text: 'contextlog: missing FILE (see contextlog replay --help)',
    });
  });

  it("contextlog's own errors and bad files: exit 1, one line, newlines flattened", () => {
    const corrupt = new CorruptSessionError('s.jsonl', 4, 120, 'not valid JSON\n  near "x"');
    expect(reportError(corrupt)).toEqual({
      exitCode: 1,
      text: 'contextlog: s.jsonl:4 (byte 120): not valid JSON near "x"',
    });
    const locked = new SessionLockedError('s.jsonl', 's.jsonl.lock', 4242, 'host', undefined);
    expect(reportError(locked).text).toMatch(/^contextlog: s\.jsonl is locked by process 4242 /);
    expect(reportError(new ValidationError('messages[0].role: invalid', 'x')).exitCode).toBe(1);
    expect(reportError(new FileError('a.jsonl', 'no such file'))).toEqual({
      exitCode: 1,
      text: 'contextlog: a.jsonl: no such file',
    });
  });

  it('a state too large to snapshot (fs-adapter throws it, rewrite.test.ts): one line, its size', () => {
    expect(reportError(new StateTooLargeError('s.jsonl', 600 * 2 ** 20, 536_870_888))).toEqual({
      exitCode: 1,
      text: 'contextlog: s.jsonl: the state is too large to snapshot as one line: its JSON is 629145600 characters (600.0 MiB), past the 536870888-character (512.0 MiB) limit of one JavaScript string; nothing was written',
    });
  });

  it('system errors a user causes: one line naming the path', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/x'"), {
      code: 'EACCES',
      path: '/x',
    });
    expect(reportError(error)).toEqual({ exitCode: 1, text: 'contextlog: /x: permission denied' });
    // Not every command has --force (copy has none): the reason does not name it.
    const exists = Object.assign(new Error("EEXIST: file already exists, open '/y'"), {
      code: 'EEXIST',
      path: '/y',
    });
    expect(reportError(exists)).toEqual({ exitCode: 1, text: 'contextlog: /y: already exists' });
  });

  it('anything else is a bug: reported with its stack', () => {
    const report = reportError(new TypeError('cannot read properties of undefined'));
    expect(report.exitCode).toBe(1);
    expect(report.text).toMatch(/^contextlog: internal error/);
    expect(report.text).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
    expect(reportError('a string').text).toMatch(/internal error[\s\S]*a string/);
  });
});

describe('oneLine', () => {
  // The pattern oneLine used to be: right on short text, quadratic over a long run of spaces.
  const reference = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

  test.prop([
    fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u2028', '\u00a0', 'a', 'é') }),
  ])(
    'joins each run of whitespace holding a line break into one space, as it always did',
    (text) => {
      expect(oneLine(text, Number.MAX_SAFE_INTEGER)).toBe(reference(text));
    },
  );

  it('clips to max characters with an ellipsis', () => {
    expect(oneLine('abc\n  def', 5)).toBe('abc …');
    expect(oneLine('abc\n  def', 7)).toBe('abc def');
  });

  // 1 MiB of spaces: the old pattern rescanned the run from each of its starts (about ten
  // minutes here); a linear pass takes milliseconds, well inside the test timeout.
  it('flattens a megabyte-long run of spaces in one pass', () => {
    const run = ' '.repeat(2 ** 20);
    const flat = oneLine(`type "${run}" \r\n\t is unknown`, Number.MAX_SAFE_INTEGER);
    expect(flat).toBe(`type "${run}" is unknown`);
  });
});
