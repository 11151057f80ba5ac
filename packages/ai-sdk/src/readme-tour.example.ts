import { openChatStore } from '@contextlog/ai-sdk';
import {
  convertToModelMessages,
  createIdGenerator,
  streamText,
  toUIMessageStream,
  type UIMessage,
} from 'ai';
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';

// Any model works ('openai/gpt-5', anthropic('claude-…')); this one thinks, then says hello.
const model = new MockLanguageModelV4({
  doStream: async () => ({
    stream: simulateReadableStream({
      chunks: [
        { type: 'reasoning-start', id: 'r' },
        { type: 'reasoning-delta', id: 'r', delta: 'A greeting.' },
        { type: 'reasoning-end', id: 'r' },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'Hello!' },
        { type: 'text-end', id: 't' },
        {
          type: 'finish',
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: {
            inputTokens: { total: 5, noCache: 5, cacheRead: 0, cacheWrite: 0 },
            outputTokens: { total: 2, text: 2, reasoning: 0 },
          },
        },
      ],
    }),
  }),
});

const chats = await openChatStore<UIMessage>({ dir: 'chats' }); // one session file per chat

// One request: what the chat holds, the user's message, the streamed reply, saved at its end.
async function send(chatId: string, text: string): Promise<void> {
  const saved = await chats.loadChat(chatId); // null: a chat never saved
  const messages: UIMessage[] = [
    ...(saved ?? []),
    { id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text }] },
  ];
  const result = streamText({ model, messages: await convertToModelMessages(messages) });
  const stream = toUIMessageStream({
    stream: result.stream,
    originalMessages: messages,
    generateMessageId: createIdGenerator({ prefix: 'msg', size: 16 }), // saves need ids
    // Guarded by what this request read: if another request saved meanwhile, this save is
    // refused (HistoryMismatchError) and changes nothing, never merged.
    onEnd: async ({ messages }) => {
      await chats.saveChat({ chatId, messages, expected: saved });
    },
  });
  // A route handler returns the stream instead: createUIMessageStreamResponse({ stream }).
  for await (const _chunk of stream);
}

await send('chat-1', 'Hi!');
await send('chat-1', 'Hi again!');
await chats.close();

// After a restart, or in another process: the chat as the SDK made it, ready for useChat.
const resumed = await openChatStore<UIMessage>({ dir: 'chats' });
const messages = await resumed.loadChat('chat-1');
console.log(messages?.map((m) => `${m.role}: ${m.parts.map((p) => p.type).join(', ')}`));
// [ 'user: text', 'assistant: step-start, reasoning, text', 'user: text', 'assistant: …' ]
console.log(await resumed.listChats()); // [ { chatId: 'chat-1', changedAt: '…' } ]
await resumed.close();
