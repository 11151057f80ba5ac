import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';

// The SDK's provider types come with `ai` (its @ai-sdk/provider is not ours to import).
type StreamResult = Awaited<ReturnType<MockLanguageModelV4['doStream']>>;
export type ModelStreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
type CallOptions = Parameters<MockLanguageModelV4['doStream']>[0];

/** What the model streams in one step (one model call). */
export type ModelStep = readonly ModelStreamPart[];

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 7, text: 7, reasoning: 0 },
};

export const step = {
  text: (id: string, ...deltas: string[]): ModelStreamPart[] => [
    { type: 'text-start', id },
    ...deltas.map((delta): ModelStreamPart => ({ type: 'text-delta', id, delta })),
    { type: 'text-end', id },
  ],
  reasoning: (id: string, ...deltas: string[]): ModelStreamPart[] => [
    { type: 'reasoning-start', id },
    ...deltas.map((delta): ModelStreamPart => ({ type: 'reasoning-delta', id, delta })),
    { type: 'reasoning-end', id },
  ],
  /** A tool call whose input streams in two halves before the call itself. */
  toolCall: (toolCallId: string, toolName: string, input: unknown): ModelStreamPart[] => {
    const json = JSON.stringify(input);
    const half = Math.floor(json.length / 2);
    return [
      { type: 'tool-input-start', id: toolCallId, toolName },
      { type: 'tool-input-delta', id: toolCallId, delta: json.slice(0, half) },
      { type: 'tool-input-delta', id: toolCallId, delta: json.slice(half) },
      { type: 'tool-input-end', id: toolCallId },
      { type: 'tool-call', toolCallId, toolName, input: json },
    ];
  },
  sourceUrl: (id: string, url: string, title: string): ModelStreamPart[] => [
    { type: 'source', sourceType: 'url', id, url, title },
  ],
  sourceDocument: (id: string, title: string): ModelStreamPart[] => [
    { type: 'source', sourceType: 'document', id, mediaType: 'application/pdf', title },
  ],
  /** A whole step: stream start, the parts, and a finish (`tool-calls` if it called a tool). */
  of: (...parts: ModelStreamPart[][]): ModelStep => {
    const flat = parts.flat();
    const calls = flat.some((part) => part.type === 'tool-call');
    return [
      { type: 'stream-start', warnings: [] },
      ...flat,
      {
        type: 'finish',
        usage,
        finishReason: calls
          ? { unified: 'tool-calls', raw: 'tool_calls' }
          : { unified: 'stop', raw: 'stop' },
      },
    ];
  },
};

export interface ScriptedModel {
  readonly model: MockLanguageModelV4;
  /** The prompts the model was called with, one per step. */
  readonly calls: CallOptions[];
  /** Steps not streamed yet. */
  remaining(): number;
}

/**
 * The SDK's own mock language model (`ai/test`), streaming the given steps in order, one per
 * model call, through `simulateReadableStream`; a call past the script fails the test.
 */
export function scriptedModel(steps: readonly ModelStep[]): ScriptedModel {
  const queue = [...steps];
  const calls: CallOptions[] = [];
  const model = new MockLanguageModelV4({
    doStream: async (options) => {
      calls.push(options);
      const next = queue.shift();
      if (next === undefined) throw new Error(`the scripted model has no step ${calls.length}`);
      return { stream: simulateReadableStream({ chunks: [...next] }) };
    },
  });
  return { model, calls, remaining: () => queue.length };
}
