// Child process of the two-writer test: adds `count` items labelled `<label>-<i>` to a session
// another process writes too. Even i: addItems; odd i: an append_items transaction, applied
// twice (a retry) under the operation id `<label>-<i>`. `hold` keeps the session open
// throughout (PostgreSQL); `reopen` opens and closes it around each item, waiting while the
// other process holds a file's lock (SESSION_LOCKED). Prints { refusals }.
// Usage: add-loop.mjs <label> <count> hold|reopen <session spec…> (see session-of.mjs).
import { readdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionOf } from './session-of.mjs';

const [label, count, mode, ...spec] = process.argv.slice(2);
let refusals = 0;

async function open() {
  for (;;) {
    try {
      return await sessionOf(spec);
    } catch (error) {
      // Only `reopen` waits its turn: `hold` shows the refusal itself.
      if (error?.code !== 'SESSION_LOCKED' || mode !== 'reopen') throw error;
      refusals++;
      await sleep(2);
    }
  }
}

async function add(session, i) {
  const item = { role: 'user', content: `${label}-${i}` };
  if (i % 2 === 0) return session.addItems([item]);
  const args = {
    operationId: `${label}-${i}`,
    transaction: { type: 'append_items', items: [item] },
  };
  await session.applyHistoryTransaction(args);
  await session.applyHistoryTransaction(args);
}

// ADD_LOOP_BARRIER=<path>: each writer marks `<path>.<label>` and starts only once two have, so
// the two processes' loops overlap (whichever started first would otherwise often be done).
const barrier = process.env.ADD_LOOP_BARRIER;
if (barrier !== undefined && barrier !== '') {
  await writeFile(`${barrier}.${label}`, '');
  const marks = () => readdir(dirname(barrier));
  const mine = `${basename(barrier)}.`;
  while ((await marks()).filter((name) => name.startsWith(mine)).length < 2) await sleep(2);
}

let held = mode === 'hold' ? await open() : undefined;
for (let i = 0; i < Number(count); i++) {
  const opened = held ?? (await open());
  await add(opened.session, i);
  if (held === undefined) {
    await opened.session.close();
    await opened.end();
  }
}
if (held !== undefined) {
  await held.session.close();
  await held.end();
  held = undefined;
}
process.stdout.write(`${JSON.stringify({ refusals })}\n`);
