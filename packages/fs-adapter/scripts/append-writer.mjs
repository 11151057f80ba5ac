// Child process of the follow test: opens a session and appends `count` messages, a few ms apart.
import { setTimeout as sleep } from 'node:timers/promises';
import { openFileSession } from '../dist/index.js';

const [path, count = '10'] = process.argv.slice(2);
const engine = await openFileSession(path);
for (let i = 0; i < Number(count); i++) {
  await engine.appendMessages({ role: 'user', content: `from child ${i}` });
  await sleep(5);
}
await engine.close();
