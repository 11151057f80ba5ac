// Child process of the crash test (src/store/crash.test.ts): appends to a session with 'fsync'
// durability from several concurrent producers and prints each message once its append resolved
// (stdout to a pipe is synchronous on Linux, so a printed line was acknowledged before any kill).
import { openFileSession } from '../dist/index.js';

const [path, tag, producers = '4'] = process.argv.slice(2);
const engine = await openFileSession(path);
process.stdout.write(`open ${engine.state.seq}\n`);
const produce = async (p) => {
  for (let n = 0; ; n++) {
    const id = `${tag}-${p}-${n}`;
    const big = n % 6 === 0 ? ` ${'x'.repeat(40_000)}` : '';
    if (n % 5 === 4) await engine.checkpoint();
    await engine.appendMessages({ role: 'user', content: `${id}${big}` });
    process.stdout.write(`ack ${id}\n`);
  }
};
await Promise.all(Array.from({ length: Number(producers) }, (_, p) => produce(p)));
