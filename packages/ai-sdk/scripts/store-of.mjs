// Opens the chat store a child process of the tests works on, from its command line:
// `dir <path>`, `pglite <dataDir>` or `postgres <url> <table>`. Runs the compiled package.
import { openChatStore } from '../dist/index.js';

export async function storeOf([kind, where, table]) {
  if (kind === 'dir') return { chats: await openChatStore({ dir: where }), end: async () => {} };
  const { createPgClient, createPgliteClient } = await import('@contextlog/pg-adapter');
  const client = kind === 'pglite' ? await createPgliteClient(where) : createPgClient(where);
  const chats = await openChatStore(table === undefined ? { client } : { client, table });
  return { chats, end: () => client.end() };
}
