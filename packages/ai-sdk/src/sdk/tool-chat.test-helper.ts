import {
  type AbstractChat,
  dynamicTool,
  lastAssistantMessageIsCompleteWithToolCalls,
  type ToolSet,
  tool,
  type UIMessage,
} from 'ai';
import { z } from 'zod';
import { chatRoute, type RouteEnd } from './chat-route.test-helper.js';
import { headlessChat } from './headless-chat.test-helper.js';
import { type ModelStep, scriptedModel, step } from './scripted-model.test-helper.js';

/**
 * The tools of the scripted chat: `weather` runs on the server and streams a `data-weather` part
 * while it works, `confirm` has no `execute` (the client answers it), `lookup` is a dynamic tool,
 * `failing` throws (an `output-error` part).
 */
export function toolChatTools(
  write: (chunk: { type: `data-${string}`; id: string; data: unknown }) => void,
): ToolSet {
  return {
    weather: tool({
      description: 'The weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }, { toolCallId }) => {
        write({ type: 'data-weather', id: toolCallId, data: { city, status: 'loading' } });
        return { city, sky: 'sunny', celsius: 21 };
      },
    }),
    confirm: tool({
      description: 'Asks the user to confirm',
      inputSchema: z.object({ question: z.string() }),
      outputSchema: z.object({ approved: z.boolean() }),
    }),
    lookup: dynamicTool({
      description: 'Looks something up',
      inputSchema: z.object({ query: z.string() }),
      execute: async (input) => ({ found: true, input }),
    }),
    failing: tool({
      description: 'Always fails',
      inputSchema: z.object({ what: z.string() }),
      execute: async ({ what }): Promise<string> => {
        throw new Error(`the ${what} service is down`);
      },
    }),
  };
}

/** The model's side of the scripted chat, one step per model call. */
export const TOOL_CHAT_SCRIPT: readonly ModelStep[] = [
  // Request 1: a question answered with a server tool, over two steps.
  step.of(
    step.reasoning('r1', 'The user wants ', 'the weather 🤔'),
    step.text('t1', 'Let me check.'),
    step.toolCall('call-weather', 'weather', { city: 'Paris' }),
    step.sourceUrl('src-1', 'https://example.com/paris', 'Paris weather'),
  ),
  step.of(step.text('t2', 'Sunny, ', '21 °C in Paris.'), step.sourceDocument('doc-1', 'Forecast')),
  // Request 2: a question with a file, answered by asking the client (a tool without execute).
  step.of(
    step.text('t3', 'I need your confirmation.'),
    step.toolCall('call-confirm', 'confirm', { question: 'Book a table for two?' }),
  ),
  // Request 3 (sent by the client once it added the tool output): the same message continues.
  step.of(
    step.reasoning('r2', 'Confirmed; ', 'looking up a table.'),
    step.toolCall('call-lookup', 'lookup', { query: 'table for two' }),
    step.toolCall('call-failing', 'failing', { what: 'calendar' }),
  ),
  step.of(step.text('t4', 'Booked, ', 'although the calendar failed.')),
  // Request 4: the last answer regenerated.
  step.of(step.reasoning('r3', 'Again.'), step.text('t5', 'Booked for two at 8 pm.')),
];

export interface ToolChatRun {
  /** The client's messages after each request it made. */
  readonly clientViews: readonly UIMessage[][];
  /** What the route's `onEnd` got, one per request: what a chat store is asked to save. */
  readonly ends: readonly RouteEnd[];
  readonly chat: AbstractChat<UIMessage>;
  /** Model steps the run did not use (0 when the script played out). */
  readonly unusedSteps: number;
}

export interface ToolChatOptions {
  readonly chatId?: string;
  /** Called at each end of the UI message stream, after it is recorded (a store saves here). */
  readonly onEnd?: (end: RouteEnd) => void | Promise<void>;
}

/**
 * A four-request chat driven through the real SDK: `streamText` with the SDK's mock model on the
 * server, the SDK's chat client (`useChat`'s core) over its SSE transport on the other side. It
 * has reasoning, text, server, client, dynamic and failing tool calls, sources, a data part, a
 * user file, a continued message (the client's tool output) and a regenerated answer.
 */
export async function runToolChat(options: ToolChatOptions = {}): Promise<ToolChatRun> {
  const scripted = scriptedModel(TOOL_CHAT_SCRIPT);
  const ends: RouteEnd[] = [];
  const route = chatRoute({
    model: scripted.model,
    tools: toolChatTools,
    onEnd: async (end) => {
      // As given at that moment (undefined keys too): what a store's saveChat would receive.
      ends.push(structuredClone(end));
      await options.onEnd?.(end);
    },
  });
  const clientViews: UIMessage[][] = [];
  let requests = 0;
  const chat = headlessChat({
    id: options.chatId ?? 'chat-1',
    route: async (request) => {
      requests++;
      return route(request);
    },
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithToolCalls,
    onFinish: ({ messages }) => {
      clientViews.push(structuredClone(messages));
    },
    onError: (error) => {
      throw error;
    },
  });
  await chat.sendMessage({ text: 'Weather in Paris? 🌦' });
  await chat.sendMessage({
    text: 'Book a table, see the attached note.',
    files: [
      {
        type: 'file',
        mediaType: 'text/plain',
        filename: 'note.txt',
        url: 'data:text/plain;base64,dGFibGUgZm9yIHR3bw==',
      },
    ],
  });
  await chat.addToolOutput({
    tool: 'confirm',
    toolCallId: 'call-confirm',
    output: { approved: true },
  });
  await waitFor(() => requests === 3 && chat.status === 'ready' && clientViews.length === 3);
  await chat.regenerate();
  if (chat.status !== 'ready' || chat.error !== undefined) {
    throw new Error(`the chat ended ${chat.status}: ${String(chat.error)}`);
  }
  return { clientViews, ends, chat, unusedSteps: scripted.remaining() };
}

/** The client sends automatically after a tool output, without a promise to wait on. */
async function waitFor(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('the chat did not settle');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
