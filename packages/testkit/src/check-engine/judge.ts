import {
  type ContextState,
  codeOf,
  hasCode,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import type { AppendRecord } from '../faulty-store/faulty-store.js';
import { preview, sameJson } from '../json.js';
import { expectedOutcome, type OperationOutcome } from '../operations/model.js';
import type { CallRecord, Observation } from './observation.js';

const causeOf = (error: unknown): unknown => (error as { cause?: unknown } | null)?.cause;

/** The refusal of a broken store, or of the engine it broke. */
const isBroken = (error: unknown): boolean =>
  hasCode(error, 'STORE_BROKEN') || hasCode(error, 'CONTEXT_BROKEN');

function describeCall(call: CallRecord): string {
  return `call #${call.index} ${call.operation.kind}`;
}

function describeSettle(call: CallRecord): string {
  if (call.status === 'resolved') return 'resolved';
  return `rejected with ${codeOf(call.reason) ?? preview(call.reason, 120)}`;
}

/** An event the engine asked the store to write, with the state it was formed on. */
interface Attempt {
  readonly append: AppendRecord;
  readonly event: StoredEvent;
  readonly before: ContextState<unknown>;
  readonly after: ContextState<unknown> | undefined;
  readonly committed: boolean;
}

const eventBody = (event: { type: string; v: number; data: unknown }) => ({
  type: event.type,
  v: event.v,
  data: event.data,
});

function matchesEvent(outcome: OperationOutcome, event: StoredEvent): boolean {
  return (
    outcome.kind === 'event' &&
    outcome.op === event.op &&
    sameJson(eventBody(outcome.event), eventBody(event))
  );
}

/** Whether `call` settled as an event of `attempt` must settle. */
function settledAsAttempt(call: CallRecord, attempt: Attempt): boolean {
  if (attempt.committed) {
    if (call.status !== 'resolved') return false;
    if (call.operation.kind === 'checkpoint') {
      return call.value === (attempt.event.data as { id?: unknown }).id;
    }
    return true;
  }
  if (call.status !== 'rejected') return false;
  const { error, status } = attempt.append;
  if (call.reason === error || causeOf(call.reason) === error) return true;
  return (status === 'broken' || status === 'refused') && isBroken(call.reason);
}

/**
 * Judges one run against the contract: the five checks of `checkEngine`. Returns the
 * violations, most fundamental first; empty when the engine behaved.
 */
export function judge(observation: Observation): string[] {
  const violations: string[] = [];
  const { calls, appends } = observation;

  if (
    !sameJson(stateToJson(observation.engineStateAtOpen), stateToJson(observation.initialState))
  ) {
    violations.push(
      '(1) replay = live: the engine opened on a store with events but its state is not their replay',
    );
  }

  // (4) liveness: nothing may stay pending.
  const pending = calls.filter((call) => call.status === 'pending');
  if (pending.length > 0 || observation.stuck) {
    violations.push(
      `(4) liveness: ${pending.map(describeCall).join(', ') || 'the run'} never settled (nothing settled for idleMs = ${observation.idleMs} ms with nothing scheduled and no store I/O running)`,
    );
    return violations.concat(observation.midRun);
  }

  // (5) one append at a time.
  for (const { record } of appends) {
    if (record.concurrent > 0) {
      violations.push(
        `(5) serialization: append #${record.index} was called while ${record.concurrent} other append(s) were in flight`,
      );
    }
  }
  for (const { record } of appends) {
    if (record.status === 'failed') {
      violations.push(
        `(2) append #${record.index} was refused by the store (no fault injected): ${preview(record.error)}; the engine sent expectedSeq ${record.expectedSeq} and seqs ${record.events.map((e) => e.seq).join(',')}`,
      );
    }
  }

  // Every event the engine tried to write, with the state it must have been formed on.
  const attempts: Attempt[] = [];
  let committed = observation.initialState;
  for (const { record } of appends) {
    let state = committed;
    for (const event of record.events) {
      let after: ContextState<unknown> | undefined;
      try {
        if (event.seq !== state.seq + 1) throw new Error(`seq ${event.seq} after ${state.seq}`);
        after = foldEvents([event], state, observation.foldOptions);
      } catch (error) {
        violations.push(
          `(2) append #${record.index} carried an event that does not continue the log: ${preview(eventBody(event))} (${preview(error, 100)})`,
        );
      }
      attempts.push({
        append: record,
        event,
        before: state,
        after,
        committed: record.status === 'committed',
      });
      if (after !== undefined) state = after;
    }
    if (record.status === 'committed') committed = state;
  }
  if (violations.length > 0) return violations.concat(observation.midRun);

  // (2)+(3) each written event belongs to the next call, in call order, that made exactly it and
  // settled as its append did. Greedy leftmost matching is complete for an order-preserving map.
  // A call made after an append started cannot own that append's events (two identical calls
  // would otherwise trade places and hide which one broke the contract).
  const startedAt = new Map(
    observation.appends.map((timing) => [timing.record.index, timing.startedAt]),
  );
  const madeBefore = (call: CallRecord, append: Attempt['append']) =>
    call.calledAt < (startedAt.get(append.index) ?? Number.POSITIVE_INFINITY);
  const timingOf = new Map(observation.appends.map((timing) => [timing.record.index, timing]));

  /**
   * When `call` was certainly aborted before its batch formed, says when; else undefined. The
   * contract: "a command aborted before its batch forms is dropped and rejects with
   * signal.reason; once its batch is being written it resolves or rejects with the real outcome",
   * and a batch is whatever is queued when the previous write finishes. So a batch forms after
   * its calls were made and after the append in flight before it returned. Between that return
   * and the next append's call the batch may or may not have formed: an abort there is not judged.
   */
  const abortedBeforeBatch = (call: CallRecord, heldIn?: AppendRecord): string | undefined => {
    const { abortedAt } = call;
    if (abortedAt === undefined || call.abortReason === undefined) return undefined;
    if (abortedAt < call.calledAt) return 'before the call';
    // Settled before the abort: the abort changed nothing.
    if ((call.settledAt ?? Number.POSITIVE_INFINITY) < abortedAt) return undefined;
    const queuedBehind = observation.appends.find(
      (timing) =>
        timing.startedAt < call.calledAt &&
        (timing.settledAt ?? Number.POSITIVE_INFINITY) > abortedAt,
    );
    if (queuedBehind !== undefined) {
      return `at step ${abortedAt}, while it was queued behind append #${queuedBehind.record.index} (in flight since before the call)`;
    }
    const previous = heldIn === undefined ? undefined : timingOf.get(heldIn.index - 1);
    if (previous !== undefined && abortedAt < (previous.settledAt ?? Number.POSITIVE_INFINITY)) {
      return `at step ${abortedAt}, before append #${previous.record.index} (the write before the one holding it) returned`;
    }
    return undefined;
  };
  const droppedMessage = (call: CallRecord, when: string, attempt: Attempt) =>
    `(2) abort: ${describeCall(call)} was aborted ${when}, so before its batch formed, but its event (${attempt.event.type} seq ${attempt.event.seq}) was ${attempt.committed ? 'committed' : `written (${attempt.append.status})`} in append #${attempt.append.index} and the call ${describeSettle(call)}: a command aborted before its batch forms must be dropped and reject with its abort reason`;

  const matchOf = new Map<CallRecord, Attempt>();
  let next = 0;
  for (const attempt of attempts) {
    const { event, append } = attempt;
    let found = -1;
    for (let j = next; j < calls.length; j++) {
      const call = calls[j] as CallRecord;
      if (
        madeBefore(call, append) &&
        matchesEvent(expectedOutcome(call.operation, attempt.before, observation.dialect), event) &&
        settledAsAttempt(call, attempt)
      ) {
        found = j;
        break;
      }
    }
    if (found === -1) {
      const owner = calls.find(
        (call, j) =>
          j >= next &&
          madeBefore(call, append) &&
          matchesEvent(expectedOutcome(call.operation, attempt.before, observation.dialect), event),
      );
      const outcome = attempt.committed ? 'committed' : `not committed (${append.status})`;
      const early = owner === undefined ? undefined : abortedBeforeBatch(owner, append);
      violations.push(
        owner !== undefined && early !== undefined
          ? droppedMessage(owner, early, attempt)
          : owner === undefined
            ? `(2)(3) append #${append.index} wrote ${event.type} seq ${event.seq} ${preview(event.data, 120)}, which is not the event of any call after the previous one written (stored order must be call order, one event per command)`
            : `(2) ${describeCall(owner)} ${describeSettle(owner)}, but its event (${event.type} seq ${event.seq}) was ${outcome} in append #${append.index}: a command must settle with the outcome of the write that holds its event`,
      );
      return violations.concat(observation.midRun);
    }
    matchOf.set(calls[found] as CallRecord, attempt);
    next = found + 1;
  }

  // When the store broke, and when the engine had certainly seen it (a call of that batch settled).
  const brokenAppend = appends.find(({ record }) => record.status === 'broken');
  const brokenAt = brokenAppend?.settledAt;
  let brokenKnownAt: number | undefined;
  if (brokenAppend !== undefined) {
    for (const [call, attempt] of matchOf) {
      if (attempt.append === brokenAppend.record && call.settledAt !== undefined) {
        brokenKnownAt = Math.min(brokenKnownAt ?? Number.POSITIVE_INFINITY, call.settledAt);
      }
    }
  }

  // The states a call that wrote nothing may have been validated on.
  const statesBefore = (index: number): ContextState<unknown>[] => {
    let lastAttempted: ContextState<unknown> | undefined;
    let lastCommitted: ContextState<unknown> = observation.initialState;
    // matchOf iterates in attempt order, so the last match before `index` is the latest state.
    for (const [call, attempt] of matchOf) {
      if (call.index >= index || attempt.after === undefined) continue;
      lastAttempted = attempt.after;
      if (attempt.committed) lastCommitted = attempt.after;
    }
    return lastAttempted === undefined ? [lastCommitted] : [lastCommitted, lastAttempted];
  };

  for (const call of calls) {
    if (
      brokenKnownAt !== undefined &&
      call.calledAt > brokenKnownAt &&
      call.status === 'resolved'
    ) {
      violations.push(
        `(1) ${describeCall(call)} was called after the store reported StoreBrokenError but resolved (every later command must reject)`,
      );
      continue;
    }
    const held = matchOf.get(call);
    const early = abortedBeforeBatch(call, held?.append);
    if (early !== undefined) {
      if (held !== undefined) {
        violations.push(droppedMessage(call, early, held));
        continue;
      }
      if (call.status === 'resolved') {
        // `appendMessages([])` resolves without writing, aborted or not.
        if (
          expectedOutcome(call.operation, observation.initialState, observation.dialect).kind ===
          'noop'
        )
          continue;
        violations.push(
          `(2) abort: ${describeCall(call)} was aborted ${early}, so before its batch formed, but resolved: it must be dropped and reject with its abort reason`,
        );
        continue;
      }
      if (call.reason === call.abortReason) continue;
      // Once the store broke, an engine may refuse with that first (core does, for calls made
      // after it; an engine that does async work before looking at a call may see it later).
      if (
        brokenAt !== undefined &&
        brokenAt < (call.settledAt ?? Number.POSITIVE_INFINITY) &&
        isBroken(call.reason)
      ) {
        continue;
      }
      violations.push(
        `(2) abort: ${describeCall(call)} was aborted ${early}, so before its batch formed, but ${describeSettle(call)}: it must reject with exactly its abort reason (signal.reason)`,
      );
      continue;
    }
    if (held !== undefined) continue;
    // A repeat of a remembered operation id writes nothing: it answers as the first call did, and
    // when that call is in its own batch, it settles as that batch does.
    const repeats = statesBefore(call.index)
      .map((state) => expectedOutcome(call.operation, state, observation.dialect))
      .filter((outcome) => outcome.kind === 'repeat');
    if (call.status === 'resolved') {
      const outcome = expectedOutcome(
        call.operation,
        observation.initialState,
        observation.dialect,
      );
      if (outcome.kind === 'noop') continue;
      if (repeats.some((repeat) => sameJson(repeat.result ?? null, call.value ?? null))) continue;
      violations.push(
        `(2) ${describeCall(call)} resolved${call.value === undefined ? '' : ` with ${preview(call.value)}`}, but its event was never written`,
      );
      continue;
    }
    // A rejection without a write is legitimate only for a reason the contract gives.
    const reason = call.reason;
    const settledAt = call.settledAt ?? Number.POSITIVE_INFINITY;
    if (
      call.abortReason !== undefined &&
      reason === call.abortReason &&
      call.abortedAt !== undefined &&
      call.abortedAt < settledAt
    ) {
      continue;
    }
    if (brokenAt !== undefined && settledAt > brokenAt && isBroken(reason)) continue;
    const failedWithFirst = attempts.some(
      (attempt) =>
        !attempt.committed &&
        attempt.event.op !== undefined &&
        attempt.event.op === call.operation.operationId &&
        (reason === attempt.append.error || causeOf(reason) === attempt.append.error),
    );
    if (repeats.length > 0 && failedWithFirst) continue;
    const invalidHere = statesBefore(call.index).some((state) => {
      const outcome = expectedOutcome(call.operation, state, observation.dialect);
      return outcome.kind === 'invalid' && hasCode(reason, outcome.code);
    });
    if (invalidHere) continue;
    const [state] = statesBefore(call.index);
    const expected =
      state === undefined ? undefined : expectedOutcome(call.operation, state, observation.dialect);
    violations.push(
      `(4) liveness: ${describeCall(call)} ${describeSettle(call)} although it was not aborted, no fault hit a batch holding it, and it ${
        expected?.kind === 'invalid'
          ? `is invalid only with code ${expected.code}`
          : 'is valid against the state the calls before it left'
      } (${preview(call.operation, 160)})`,
    );
  }

  // (1) replay = live, against what the store really holds.
  const committedEvents = attempts.filter((a) => a.committed).map((a) => a.event);
  const expectedLog = [...observation.initialEvents, ...committedEvents];
  const stored = observation.storedEvents;
  const storedPrefix = stored.slice(0, expectedLog.length);
  if (!sameJson(storedPrefix, expectedLog)) {
    violations.push(
      `(2) the store does not hold exactly the committed events: expected seqs ${expectedLog.map((e) => e.seq).join(',')}, found ${stored.map((e) => e.seq).join(',')}`,
    );
  } else if (brokenAppend === undefined && stored.length !== expectedLog.length) {
    violations.push(
      `(2) the store holds events no append committed: seqs ${stored
        .slice(expectedLog.length)
        .map((e) => e.seq)
        .join(',')}`,
    );
  }
  const live = stateToJson(observation.finalState);
  const replayed = stateToJson(
    foldEvents<unknown>(storedPrefix, undefined, observation.foldOptions),
  );
  if (!sameJson(live, replayed)) {
    violations.push(
      `(1) replay = live: after quiescence engine.state differs from the replay of the committed events${
        brokenAppend === undefined ? '' : ' (before the StoreBrokenError)'
      }:\n  live:     ${preview(live, 400)}\n  replayed: ${preview(replayed, 400)}`,
    );
  }
  return violations.concat(observation.midRun);
}
