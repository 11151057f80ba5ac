// Child process of the lock tests: tries to open a session as its writer, says whether it won,
// and holds the lock a while so that every contender runs while the winner holds it.
import { setTimeout as sleep } from 'node:timers/promises';
import { openFileStore } from '../dist/index.js';

const [path, holdMs = '400'] = process.argv.slice(2);
try {
  const store = await openFileStore(path);
  process.stdout.write('won\n');
  await sleep(Number(holdMs));
  await store.close();
} catch (error) {
  if (error?.code !== 'SESSION_LOCKED') throw error;
  process.stdout.write(`locked ${error.pid}\n`);
}
