// Child process of src/store/two-writers.test.ts: appends `count` batches to one transcript, as
// the SDK's mirror does, and exits non-zero if any append is refused. Each batch: two entries of
// its own, one whose uuid the other writer sends too (`shared-<i>`), one without a uuid.
// Usage: append-loop.mjs <tag> <count> <store spec…> (see apply-ops.mjs for the spec).
import { createClaudeSessionStore } from '../dist/index.js';

const [tag, count, kind, where, table] = process.argv.slice(2);
let client;
let options = { dir: where };
if (kind !== 'dir') {
  const { createPgClient } = await import('@contextlog/pg-adapter');
  client = createPgClient(where);
  options = { client, table };
}
const store = await createClaudeSessionStore(options);
const key = { projectKey: 'two-writers', sessionId: 'session' };
const entry = (uuid, text) => ({
  type: 'user',
  ...(uuid ? { uuid } : {}),
  message: { role: 'user', content: text },
});
for (let i = 0; i < Number(count); i++) {
  await store.append(key, [
    entry(`${tag}-${i}-a`, `${tag} ${i} a`),
    entry(`shared-${i}`, `${tag} ${i} shared`),
    entry(`${tag}-${i}-b`, `${tag} ${i} b`),
    entry(undefined, `${tag} ${i} no uuid`),
  ]);
}
await store.close();
await client?.end();
