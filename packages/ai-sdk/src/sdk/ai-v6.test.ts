import {
  convertToModelMessages,
  readUIMessageStream,
  stepCountIs,
  streamText,
  tool,
  type UIMessage,
  validateUIMessages,
} from 'ai-v6';
import { MockLanguageModelV3, simulateReadableStream } from 'ai-v6/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aiSdkUiDialect } from '../dialect/ai-sdk-ui-dialect.js';
import { jsonEqual } from '../save/json-equal.js';
import { planSave } from '../save/plan-save.js';
import { type ModelStep, step } from './scripted-model.test-helper.js';

// The peer range is `^6 || ^7`: the same envelope from ai 6 (installed as `ai-v6`), driven the
// ai 6 way (`result.toUIMessageStream` with `onFinish`; ai 7 moved both).

type V3StreamPart =
  Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P>
    ? P
    : never;

function v3Model(steps: readonly ModelStep[]): MockLanguageModelV3 {
  const queue = [...steps];
  return new MockLanguageModelV3({
    doStream: async () => {
      const next = queue.shift();
      if (next === undefined) throw new Error('the scripted model has no more steps');
      // The v4 parts the script uses have the same shape in v3.
      return { stream: simulateReadableStream({ chunks: next as unknown as V3StreamPart[] }) };
    },
  });
}

// The SDK's tool types and `validateUIMessages`'s part ways under exactOptionalPropertyTypes.
type ValidateTools = NonNullable<Parameters<typeof validateUIMessages<UIMessage>>[0]['tools']>;

const tools = {
  weather: tool({
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, sky: 'sunny' }),
  }),
};

async function turn(model: MockLanguageModelV3, messages: UIMessage[]): Promise<UIMessage[]> {
  const result = streamText({
    model,
    messages: await convertToModelMessages(messages, { tools }),
    tools,
    stopWhen: stepCountIs(5),
  });
  let saved: UIMessage[] | undefined;
  let next = 0;
  const stream = result.toUIMessageStream({
    originalMessages: messages,
    generateMessageId: () => `a${messages.length}-${next++}`,
    onFinish: ({ messages: all }) => {
      saved = all;
    },
  });
  let read: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream })) read = message;
  if (saved === undefined || read === undefined) throw new Error('the stream did not finish');
  expect(jsonEqual(saved.at(-1), read)).toBe(true);
  return saved;
}

describe('UIMessages from ai 6', () => {
  it('pass the dialect, the SDK validates and converts them from JSON, and saves plan appends', async () => {
    const model = v3Model([
      step.of(
        step.reasoning('r1', 'Weather: ', 'a tool.'),
        step.toolCall('c1', 'weather', { city: 'Oslo' }),
      ),
      step.of(step.text('t1', 'Sunny in Oslo.')),
      step.of(step.text('t2', 'You are welcome.')),
    ]);
    const user = (id: string, text: string): UIMessage => ({
      id,
      role: 'user',
      parts: [{ type: 'text', text }],
    });
    const first = await turn(model, [user('u1', 'Weather in Oslo?')]);
    const second = await turn(model, [...first, user('u2', 'Thanks!')]);
    expect(second.map((message) => message.id)).toEqual(['u1', 'a1-0', 'u2', 'a3-0']);
    expect(first[1]?.parts.map((part) => part.type)).toEqual([
      'step-start',
      'reasoning',
      'tool-weather',
      'step-start',
      'text',
    ]);
    for (const message of second) expect(aiSdkUiDialect.schema.parse(message)).toBe(message);
    const stored = JSON.parse(JSON.stringify(second)) as UIMessage[];
    const validated = await validateUIMessages({ messages: stored, tools: tools as ValidateTools });
    expect(jsonEqual(validated, second)).toBe(true);
    expect(await convertToModelMessages(validated, { tools })).toHaveLength(6);
    expect(planSave([], first)).toMatchObject({ kind: 'append' });
    expect(planSave(JSON.parse(JSON.stringify(first)), second)).toEqual({
      kind: 'append',
      messages: second.slice(2),
    });
  });
});
