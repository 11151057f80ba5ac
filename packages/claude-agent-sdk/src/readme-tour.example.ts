import {
  getSessionMessages,
  importSessionToStore,
  listSessions,
} from '@anthropic-ai/claude-agent-sdk';
import { createClaudeSessionStore } from '@contextlog/claude-agent-sdk';

// Transcripts as contextlog session files under ./transcripts (or { client } for PostgreSQL).
const store = await createClaudeSessionStore({ dir: 'transcripts' });

// With the CLI, query({ prompt, options: { sessionStore: store } }) mirrors every turn into the
// store and options.resume loads a session back from it. Here the SDK copies a transcript that
// Claude Code wrote under CLAUDE_CONFIG_DIR (~/.claude by default) for the project /fixture/project.
const sessionId = '3f2a9c1e-5b7d-4e8a-9c0f-1a2b3c4d5e6f';
await importSessionToStore(sessionId, store, { dir: '/fixture/project' });
// Imported twice: entries with a uuid are stored once.
await importSessionToStore(sessionId, store, { dir: '/fixture/project' });

// The SDK's own listing and reader, served by the store (summaries without replaying sessions).
const [session] = await listSessions({ dir: '/fixture/project', sessionStore: store });
console.log(session?.sessionId, session?.summary);
const messages = await getSessionMessages(sessionId, {
  dir: '/fixture/project',
  sessionStore: store,
});
console.log(messages.map((message) => message.type));
await store.close();
