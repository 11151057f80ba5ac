import type { Command } from './command.js';
import { exportKimiCommand, importKimiCommand } from './convert.js';
import { copyCommand } from './copy.js';
import { demoCommand } from './demo.js';
import { followCommand } from './follow.js';
import { forkCommand } from './fork.js';
import { lsCommand } from './ls.js';
import { replayCommand } from './replay.js';
import { rmCommand } from './rm.js';
import { snapshotCommand } from './snapshot.js';
import { verifyCommand } from './verify.js';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  replayCommand,
  verifyCommand,
  importKimiCommand,
  exportKimiCommand,
  forkCommand,
  snapshotCommand,
  followCommand,
  copyCommand,
  lsCommand,
  rmCommand,
  demoCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
