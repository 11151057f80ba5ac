import {
  convertToModelMessages,
  createIdGenerator,
  createUIMessageStream,
  createUIMessageStreamResponse,
  isStepCount,
  type LanguageModel,
  streamText,
  type ToolSet,
  toUIMessageStream,
  type UIMessage,
  validateUIMessages,
} from 'ai';

/** What the UI message stream's `onEnd` gives a route: where a chat store saves. */
export interface RouteEnd {
  readonly chatId: string;
  readonly messages: UIMessage[];
  readonly responseMessage: UIMessage;
  readonly isContinuation: boolean;
  readonly isAborted: boolean;
}

export interface ChatRouteOptions {
  readonly model: LanguageModel;
  /** The tools; given the stream's writer, so a tool can stream `data-*` parts. */
  readonly tools: (
    write: (chunk: { type: `data-${string}`; id: string; data: unknown }) => void,
  ) => ToolSet;
  /** Called when the UI message stream ends: a chat store's `saveChat` goes here. */
  readonly onEnd: (end: RouteEnd) => void | Promise<void>;
  /** Server-side ids for response messages (the default: `msg-` and 16 characters). */
  readonly generateMessageId?: () => string;
}

type ValidateTools = NonNullable<Parameters<typeof validateUIMessages<UIMessage>>[0]['tools']>;

interface RequestBody {
  readonly id: string;
  readonly messages: unknown;
}

/**
 * A route handler as an application writes one for `useChat` (POST /api/chat): it validates the
 * client's messages with the SDK, streams the reply with `streamText`, and hands the UI message
 * stream's end to `onEnd`. The response is the SDK's SSE stream of UI message chunks.
 */
export function chatRoute(options: ChatRouteOptions): (request: Request) => Promise<Response> {
  const generateMessageId =
    options.generateMessageId ?? createIdGenerator({ prefix: 'msg', size: 16 });
  return async (request) => {
    const body = (await request.json()) as RequestBody;
    const stream = createUIMessageStream({
      execute: async ({ writer }) => {
        const tools = options.tools((chunk) => writer.write(chunk));
        // The SDK types a tool set and the tools `validateUIMessages` takes apart (its optional
        // `outputSchema` under exactOptionalPropertyTypes); the values are the same.
        const messages = await validateUIMessages({
          messages: body.messages,
          tools: tools as ValidateTools,
        });
        const result = streamText({
          model: options.model,
          messages: await convertToModelMessages(messages, { tools }),
          tools,
          stopWhen: isStepCount(5),
        });
        writer.merge(toUIMessageStream({ stream: result.stream, tools, sendSources: true }));
      },
      originalMessages: body.messages as UIMessage[],
      generateId: generateMessageId,
      onEnd: ({ messages, responseMessage, isContinuation, isAborted }) =>
        options.onEnd({ chatId: body.id, messages, responseMessage, isContinuation, isAborted }),
    });
    return createUIMessageStreamResponse({ stream });
  };
}
