import type { Scenario } from './scenario.js';
import { appendVsHistoryScenario } from './scenarios/append-vs-history.js';
import { concurrentAppendScenario } from './scenarios/concurrent-append.js';
import { kimiImportScenario } from './scenarios/kimi-import.js';
import { largeCommandsScenario } from './scenarios/large-commands.js';
import { peersScenario } from './scenarios/peers.js';
import { postgresScenario } from './scenarios/postgres.js';
import { replayScenario } from './scenarios/replay.js';
import { sequentialAppendScenario } from './scenarios/sequential-append.js';

/** Every scenario, in the order they run. A new scenario is one import and one line here. */
export const SCENARIOS: readonly Scenario[] = [
  concurrentAppendScenario,
  sequentialAppendScenario,
  replayScenario,
  appendVsHistoryScenario,
  kimiImportScenario,
  postgresScenario,
  peersScenario,
  largeCommandsScenario,
];
