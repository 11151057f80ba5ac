import type { EventType } from './schemas.js';
import { sha256Hex } from './sha256.js';

/**
 * JSON text of `value` with every object's keys in sorted order, so two values that differ only
 * in key order give the same text. What JSON leaves out (an `undefined` property, a function) is
 * left out here too.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      const item = canonicalJson(value[i]);
      text += item === undefined ? 'null' : item;
    }
    return `${text}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    let text = '{';
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${text}}`;
  }
  return JSON.stringify(value) as string;
}

/**
 * The fingerprint of a command, as the state remembers it with the command's operation id: the
 * SHA-256 (hex) of its event type and data as canonical JSON. What the batch decides is left out
 * (a checkpoint's id is the command's result, not part of it), and so is what the event does not
 * store (`replaceMessages`' `expectedSuffix`): a retry of the same call has the same fingerprint
 * whatever the session did in between.
 */
export function operationFingerprint(command: {
  readonly type: EventType;
  readonly data: unknown;
}): string {
  let data = command.data;
  if (command.type === 'checkpoint.created') {
    const { id: _, ...rest } = data as { id?: unknown };
    data = rest;
  }
  return sha256Hex(`${command.type}\n${canonicalJson(data)}`);
}
