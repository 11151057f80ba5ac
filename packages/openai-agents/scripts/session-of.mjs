// Opens the session a child process of the tests works on, from its command line:
// `file <path>`, `pglite <dataDir> <sessionId>` or `postgres <url> <table> <sessionId>`.
// Runs the compiled package.
import { openAgentsSession } from '../dist/index.js';

export async function sessionOf([kind, where, ...rest]) {
  if (kind === 'file') return { session: await openAgentsSession(where), end: async () => {} };
  const { createPgClient, createPgliteClient } = await import('@contextlog/pg-adapter');
  if (kind === 'pglite') {
    const client = await createPgliteClient(where);
    const session = await openAgentsSession({ client }, { sessionId: rest[0] });
    return { session, end: () => client.end() };
  }
  const client = createPgClient(where);
  const session = await openAgentsSession({ client, table: rest[0] }, { sessionId: rest[1] });
  return { session, end: () => client.end() };
}
