import { type ChildProcess, spawn } from 'node:child_process';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { beforeAll, describe, expect } from 'vitest';
import { chatTurns } from '../../scripts/chat-turns.mjs';
import { jsonEqual } from '../save/json-equal.js';
import { PG_URL } from './backends.test-helper.js';
import { openChatStore } from './chat-store.js';
import {
  buildPackage,
  type ChildTarget,
  postgresTarget,
  scriptPath,
} from './child-process.test-helper.js';

// A process that saves a chat over and over (appends and regenerated replies) is SIGKILLed at a
// random moment; reopened, the chat is the last list whose save was acknowledged, or the one in
// flight, whole: never a part of a save, never less than what was acknowledged. (PGlite is left
// out: it is one process's database, and a kill mid-write is its own file format's concern.)

beforeAll(buildPackage, 120_000);

/** Runs the saver until it acknowledged `minAcks` saves, then SIGKILLs it after a random delay. */
function saveAndKill(args: readonly string[], minAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let last = 0;
    let out = '';
    let err = '';
    let armed = false;
    const proc: ChildProcess = spawn(process.execPath, [scriptPath('save-loop.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      out += chunk;
      let nl = out.indexOf('\n');
      while (nl !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('ack ')) last = Number(line.slice(4));
        if (last >= minAcks && !armed) {
          armed = true;
          setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 40));
        }
        nl = out.indexOf('\n');
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the saver exited (${code}): ${err}`));
      else resolve(last);
    });
  });
}

const targets: Record<string, (dir: string) => Promise<ChildTarget>> = {
  files: async (dir) => ({ options: { dir }, spec: ['dir', dir], cleanup: async () => {} }),
};
if (PG_URL !== undefined) {
  const url = PG_URL;
  targets.postgres = async () => postgresTarget(url, 'killed');
}

describe.each(Object.keys(targets))('a process killed mid-save (%s)', (name) => {
  it('loses no acknowledged save and leaves no half of one', async ({ dir }) => {
    const target = await (targets[name] as (dir: string) => Promise<ChildTarget>)(dir);
    try {
      let previous = 0;
      let inFlight = 0;
      for (let round = 0; round < 4; round++) {
        // Each round goes on from the chat the last one left.
        const acked = await saveAndKill(
          ['chat-1', String(previous + 1), ...target.spec],
          previous + 5,
        );
        const chats = await openChatStore(target.options);
        const loaded = await chats.loadChat('chat-1');
        await chats.close();
        const candidates = [acked, acked + 1];
        const match = candidates.find((k) => jsonEqual(loaded, chatTurns(k)));
        expect(
          match,
          `round ${round}: acknowledged ${acked}, found ${loaded?.length} messages`,
        ).toBeDefined();
        previous = match as number;
        inFlight += match === acked + 1 ? 1 : 0;
      }
      // How often the kill came after a save committed but before its ack (both are fine).
      console.info(`${name}: ${inFlight} of 4 kills found the save in flight committed`);
    } finally {
      await target.cleanup();
    }
  }, 120_000);
});
