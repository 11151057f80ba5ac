// Child process of src/store/differential.property.test.ts: opens the store named on its command
// line (`dir <path>`, `pglite <dataDir>` or `postgres <url> <table>`) in a fresh process, applies
// the ops read as JSON from stdin, and prints their results as JSON. Runs the compiled package.
import { createClaudeSessionStore } from '../dist/index.js';
import { applyOp } from './ops.mjs';

const [kind, where, table] = process.argv.slice(2);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const ops = JSON.parse(input);
let client;
let options = { dir: where };
if (kind !== 'dir') {
  const { createPgClient, createPgliteClient } = await import('@contextlog/pg-adapter');
  client = kind === 'pglite' ? await createPgliteClient(where) : createPgClient(where);
  options = table === undefined ? { client } : { client, table };
}
const store = await createClaudeSessionStore(options);
const results = [];
for (const op of ops) results.push(await applyOp(store, op));
await store.close();
await client?.end();
process.stdout.write(JSON.stringify(results));
