import type { SessionFormatName } from '@contextlog/fs-adapter';
import { UsageError } from '../errors.js';
import { FORMATS as KNOWN_FORMATS } from '../formats.js';
import type { OptionSpec, OptionValues } from './command.js';

export const FORMAT_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'FORMAT',
  description: `auto (default: detected from the content), ${KNOWN_FORMATS.map((format) => format.name).join(' or ')}`,
  check: (value) => (FORMATS.includes(value as FormatOption) ? undefined : badFormat(value)),
};

export const LENIENT_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'skip corrupt lines (each becomes a diagnostic) instead of stopping at the first',
};

export const FORCE_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'replace OUT if it exists',
};

/** `--format`: a session format, or `auto` to tell them apart by content. */
export type FormatOption = 'auto' | SessionFormatName;

const FORMATS: readonly FormatOption[] = ['auto', ...KNOWN_FORMATS.map((format) => format.name)];

function badFormat(value: unknown): string {
  return `--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(value)}`;
}

export function formatOf(values: OptionValues, command: string): FormatOption {
  const value = values.format;
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (FORMATS as readonly string[]).includes(value)) {
    return value as FormatOption;
  }
  throw new UsageError(badFormat(value), command);
}

export function modeOf(values: OptionValues): 'strict' | 'lenient' {
  return values.lenient === true ? 'lenient' : 'strict';
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
