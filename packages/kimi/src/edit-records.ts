import { type Message, textLength } from '@contextlog/core';
import type { KimiRecord, RecordList } from './record-list.js';

// History edits as kimi-cli would write the file it rewrote: the records before the edited
// message stay as they were, the edited history follows. Which records go follows core's rules
// (core's projection/edits.ts), so that the file restores to the state contextlog has:
// - the checkpoint records after the edited message go (core drops those marks);
// - if one went and one stays, the usage records after the last that stays go too, so the counts
//   come from that checkpoint, as in contextlog;
// - otherwise usage records stay where they are, and one cut off with the messages is written
//   again at the edit point (contextlog keeps the token count; nothing before the edit is pending).

/** The token count kimi-cli restores from `records`: that of the last usage record. */
function tokenCountOf(records: RecordList): number {
  const last = records.usageAt.at(-1);
  const record = last === undefined ? undefined : records.list[last];
  return record?.kind === 'usage' ? record.tokenCount : 0;
}

/** Index in the list of the last checkpoint record before `position`, if checkpoints after it go. */
function lastKeptCheckpoint(records: RecordList, position: number): number | undefined {
  const { checkpointAt } = records;
  if (checkpointAt.length === 0 || (checkpointAt.at(-1) as number) < position) return undefined;
  let kept = checkpointAt.length;
  while (kept > 0 && (checkpointAt[kept - 1] as number) > position) kept--;
  return kept === 0 ? undefined : checkpointAt[kept - 1];
}

/** Cuts the records from `start` and writes `tail` in their place. */
function rewriteFrom(records: RecordList, start: number, tail: readonly KimiRecord[]): void {
  records.truncate(start);
  for (const record of tail) records.push(record);
}

const messagesOf = (records: readonly KimiRecord[]) =>
  records.filter((record) => record.kind === 'message');

const asRecords = (messages: readonly Message[]): KimiRecord[] =>
  messages.map((message) => ({ kind: 'message', message }));

/** Whether the message records from `start` up to `end` all have no text. */
function textlessFrom(records: RecordList, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const record = records.list[i];
    if (record?.kind === 'message' && textLength(record.message) > 0) return false;
  }
  return true;
}

/**
 * `messages.replaced { from, messages }`. Returns whether checkpoint records went (kimi-cli then
 * numbers its next checkpoint after the last that stays; contextlog never reuses their ids).
 */
export function replaceSuffixRecords(
  records: RecordList,
  from: number,
  messages: readonly Message[],
): boolean {
  const cut = records.messageAt[from] ?? records.list.length;
  const dropped = (records.checkpointAt.at(-1) ?? -1) > cut;
  const checkpoint = lastKeptCheckpoint(records, cut);
  if (checkpoint !== undefined) {
    const kept = messagesOf(records.list.slice(checkpoint + 1, cut));
    rewriteFrom(records, checkpoint + 1, [...kept, ...asRecords(messages)]);
    return dropped;
  }
  const tokenCount = tokenCountOf(records);
  const usageCut = (records.usageAt.at(-1) ?? -1) >= cut;
  records.truncate(cut);
  if (usageCut) records.push({ kind: 'usage', tokenCount });
  for (const record of asRecords(messages)) records.push(record);
  return dropped;
}

/** `message.replaced { index, message }`. Returns whether checkpoint records went. */
export function replaceOneRecord(records: RecordList, index: number, message: Message): boolean {
  const position = records.messageAt[index] as number;
  const dropped = (records.checkpointAt.at(-1) ?? -1) > position;
  const checkpoint = lastKeptCheckpoint(records, position);
  const replaced = (record: KimiRecord, at: number): KimiRecord =>
    at === position ? { kind: 'message', message } : record;
  if (checkpoint !== undefined) {
    const after = records.list
      .slice(checkpoint + 1)
      .map((record, i) => replaced(record, checkpoint + 1 + i));
    rewriteFrom(records, checkpoint + 1, messagesOf(after));
    return dropped;
  }
  const lastUsage = records.usageAt.at(-1) ?? -1;
  // The usage record stays where it is, unless contextlog counts the message as pending although
  // a usage record follows it: every message from it to that record has no text (so the counts
  // cannot tell), and the new one has. Then the usage record moves before it, which changes
  // nothing for the messages it passes.
  const moveUsage =
    lastUsage > position && textLength(message) > 0 && textlessFrom(records, position, lastUsage);
  if (!moveUsage && !dropped) {
    records.setMessage(position, message);
    return false;
  }
  const tokenCount = tokenCountOf(records);
  const tail = records.list
    .slice(position)
    .map((record, i) => replaced(record, position + i))
    .filter((record) => record.kind !== 'checkpoint' && !(moveUsage && record.kind === 'usage'));
  rewriteFrom(records, position, moveUsage ? [{ kind: 'usage', tokenCount }, ...tail] : tail);
  return dropped;
}
