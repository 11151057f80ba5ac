// Child process of src/store/fresh-process.test.ts: loads a chat in a process that never saw it
// saved, passes it through the SDK's own validateUIMessages and convertToModelMessages, and
// prints both as JSON. Usage: load-chat.mjs <chatId> <store spec…> (see store-of.mjs).
import { convertToModelMessages, validateUIMessages } from 'ai';
import { storeOf } from './store-of.mjs';

const [chatId, ...spec] = process.argv.slice(2);
const { chats, end } = await storeOf(spec);
const messages = await chats.loadChat(chatId);
const validated = messages === null ? null : await validateUIMessages({ messages });
const modelMessages = validated === null ? null : await convertToModelMessages(validated);
await chats.close();
await end();
process.stdout.write(`${JSON.stringify({ messages, modelMessages })}\n`);
