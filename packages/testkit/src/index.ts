// The public API of @contextlog/testkit. Nothing here imports vitest: it runs under any runner.

export { arbEvent, arbStoredEvents, stampEvents } from './arbitraries/event.js';
export { arbJsonValue } from './arbitraries/json-value.js';
export {
  type ArbMessageOptions,
  arbContentPart,
  arbMessage,
  arbToolCall,
} from './arbitraries/message.js';
export {
  type ArbCommandOptions,
  type ArbCommandSequenceOptions,
  type ArbOperationOptions,
  type ArbOperationSequenceOptions,
  arbCommand,
  arbCommandSequence,
  arbOperation,
  arbOperationSequence,
} from './arbitraries/operation.js';
export { ALL_ODD_CHARACTERS, arbText, ODD_STRINGS } from './arbitraries/strings.js';
export {
  type CheckEngineOptions,
  checkEngine,
  DEFAULT_ENGINE_RUNS,
  engineProperty,
  fuzzRuns,
} from './check-engine/check-engine.js';
export { DEFAULT_IDLE_MS } from './check-engine/drive.js';
export { TestkitAbortError } from './check-engine/observation.js';
export type { MakeEngine } from './check-engine/run.js';
export type { AbortPlan, EngineScenario, ScenarioCall } from './check-engine/scenario.js';
export { checkCallerObjects } from './check-store/caller-objects.js';
export {
  checkAheadExpectedSeq,
  checkAllOrNothing,
  checkClose,
  checkEmptyLoad,
  checkLargeBatch,
  checkNonJsonData,
  checkOddCharacters,
  checkOrder,
  checkReopen,
  checkRoundTrip,
  checkSeqContinuity,
  checkSnapshotStart,
  checkStaleExpectedSeq,
  type OptionalStoreChecks,
  runStoreChecks,
  STORE_CHECKS,
  type StoreCheck,
} from './check-store/checks.js';
export { checkDialectSession, dialectSessionCheck } from './check-store/dialect-session.js';
export { checkStalledAppend } from './check-store/stalled-append.js';
export { checkTwoWriters } from './check-store/two-writers.js';
export {
  defineFuzzedDialect,
  type FuzzedDialect,
  kimiFuzzedDialect,
} from './dialects/fuzzed-dialect.js';
export {
  arbNote,
  type Note,
  NoteSchema,
  notesDialect,
  notesFuzzedDialect,
} from './dialects/notes-dialect.js';
export {
  type AppendFault,
  type AppendRecord,
  type AppendStatus,
  createFaultyStore,
  type FaultyStore,
  type FaultyStoreOptions,
  InjectedFaultError,
} from './faulty-store/faulty-store.js';
export { canonicalJson, sameJson } from './json.js';
export {
  type CommandOutcome,
  expectedOutcome,
  type InvalidCode,
  type OperationOutcome,
} from './operations/model.js';
export {
  type EngineCommand,
  type EngineCommandKind,
  type EngineOperation,
  type EngineOperationKind,
  runCommand,
  runOperation,
} from './operations/operation.js';
export { expectReplayEqualsLive } from './replay-equals-live.js';
export {
  freshStoreId,
  loadAll,
  type MakeStore,
  openStoreUnderTest,
  type StallHook,
  type StoreUnderTest,
} from './store-factory.js';
