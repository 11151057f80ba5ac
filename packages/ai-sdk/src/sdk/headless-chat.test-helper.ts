import {
  AbstractChat,
  type ChatInit,
  type ChatState,
  type ChatStatus,
  DefaultChatTransport,
  type UIMessage,
} from 'ai';

/** The chat state a UI framework keeps (React's `useChat`), as plain arrays. */
class ArrayChatState implements ChatState<UIMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  constructor(public messages: UIMessage[]) {}
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = [...this.messages.slice(0, index), message, ...this.messages.slice(index + 1)];
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

/** The SDK's chat client (what `useChat` wraps) without a UI framework. */
class HeadlessChat extends AbstractChat<UIMessage> {}

export interface HeadlessChatOptions extends Omit<ChatInit<UIMessage>, 'transport' | 'messages'> {
  /** The route handler the client's requests go to, in process (no server, no network). */
  readonly route: (request: Request) => Promise<Response>;
  readonly messages?: UIMessage[];
}

/**
 * A client of `route` as a browser runs it: the SDK's `DefaultChatTransport` posts the chat as
 * JSON and reads the SSE response back into UI messages, through a `fetch` that calls the route
 * handler directly.
 */
export function headlessChat(options: HeadlessChatOptions): AbstractChat<UIMessage> {
  const { route, messages = [], ...init } = options;
  const transport = new DefaultChatTransport<UIMessage>({
    api: 'http://localhost/api/chat',
    fetch: async (input, requestInit) => route(new Request(input, requestInit)),
  });
  return new HeadlessChat({ ...init, transport, state: new ArrayChatState(messages) });
}
