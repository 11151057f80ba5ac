import {
  convertToModelMessages,
  readUIMessageStream,
  streamText,
  toUIMessageStream,
  type UIMessage,
  validateUIMessages,
} from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';
import { aiSdkUiDialect } from '../dialect/ai-sdk-ui-dialect.js';
import { EmptyMessageIdError } from '../errors.js';
import { jsonEqual } from '../save/json-equal.js';
import { planSave } from '../save/plan-save.js';
import { scriptedModel, step } from './scripted-model.test-helper.js';
import { runToolChat, type ToolChatRun, toolChatTools } from './tool-chat.test-helper.js';

// Messages made by the real `ai` package (see tool-chat.test-helper.ts), as a chat store gets
// them (the route's onEnd) and as the client shows them (read back from the SSE stream).

const tools = toolChatTools(() => {});
type ValidateTools = NonNullable<Parameters<typeof validateUIMessages<UIMessage>>[0]['tools']>;
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let run: ToolChatRun;
beforeAll(async () => {
  run = await runToolChat();
});

const everyList = () => [...run.ends.map((end) => end.messages), ...run.clientViews];

describe('UIMessages from the real AI SDK', () => {
  it('played the whole script: four requests, each seen by the server and the client', () => {
    expect(run.unusedSteps).toBe(0);
    expect(run.ends).toHaveLength(4);
    expect(run.clientViews).toHaveLength(4);
    expect(run.ends.map((end) => [end.isContinuation, end.isAborted])).toEqual([
      [false, false],
      [false, false],
      [true, false],
      [false, false],
    ]);
  });

  it('hold every part type the scenario is meant to cover', () => {
    const types = new Set(
      everyList().flatMap((list) => list.flatMap((m) => m.parts.map((p) => p.type))),
    );
    expect([...types].sort()).toEqual([
      'data-weather',
      'dynamic-tool',
      'file',
      'reasoning',
      'source-document',
      'source-url',
      'step-start',
      'text',
      'tool-confirm',
      'tool-failing',
      'tool-weather',
    ]);
    const states = new Set(
      everyList().flatMap((list) =>
        list.flatMap((m) => m.parts.map((p) => ('state' in p ? `${p.type}:${p.state}` : ''))),
      ),
    );
    for (const state of [
      'tool-confirm:input-available',
      'tool-confirm:output-available',
      'tool-failing:output-error',
      'dynamic-tool:output-available',
    ]) {
      expect(states).toContain(state);
    }
  });

  it('pass the dialect schema as they are, and keep their JSON through a store', () => {
    for (const list of everyList()) {
      for (const message of list) {
        expect(aiSdkUiDialect.schema.parse(message)).toBe(message);
        const stored = asJson(message);
        expect(JSON.stringify(aiSdkUiDialect.schema.parse(stored))).toBe(JSON.stringify(message));
      }
    }
  });

  it('read back from JSON, pass validateUIMessages and convert to the same model messages', async () => {
    for (const list of everyList()) {
      const stored = asJson(list);
      const validated = await validateUIMessages({
        messages: stored,
        tools: tools as ValidateTools,
      });
      expect(jsonEqual(validated, list)).toBe(true);
      const fromStored = await convertToModelMessages(validated, { tools });
      const fromLive = await convertToModelMessages(list, { tools });
      // Model messages are no JSON data (some objects inherit their keys): compared as JSON.
      expect(jsonEqual(asJson(fromStored), asJson(fromLive))).toBe(true);
      expect(fromStored.length).toBeGreaterThan(0);
    }
  });

  it('are what the client shows: each save equals the client view of the same request', () => {
    for (const [i, end] of run.ends.entries()) {
      expect(jsonEqual(end.messages, run.clientViews[i])).toBe(true);
    }
    expect(jsonEqual(run.chat.messages, run.ends.at(-1)?.messages)).toBe(true);
  });

  it('plan as a chat store would save them: two appends, a continued message, a regenerate', () => {
    let stored: unknown[] = [];
    const plans = [];
    for (const end of run.ends) {
      const plan = planSave(stored as UIMessage[], end.messages);
      plans.push(plan);
      expect(planSave(asJson(end.messages), end.messages)).toEqual({ kind: 'unchanged' });
      stored = asJson(end.messages);
    }
    const [first, second, third, fourth] = run.ends.map((end) => end.messages);
    expect(plans.map((plan) => plan.kind)).toEqual(['append', 'append', 'replace', 'replace']);
    expect(plans[0]).toMatchObject({ messages: first });
    expect(plans[1]).toMatchObject({ messages: second?.slice(2) });
    // The client's tool output and the continued reply: the same message (same id), replaced.
    expect(plans[2]).toMatchObject({ from: 3, messages: third?.slice(3) });
    expect(third?.[3]?.id).toBe(second?.[3]?.id);
    // Regenerate: the continued reply gives way to a new message with a new id.
    expect(plans[3]).toMatchObject({ from: 3, messages: fourth?.slice(3) });
    expect(
      plans[3]?.kind === 'replace' && jsonEqual(plans[3].expectedSuffix, third?.slice(3)),
    ).toBe(true);
    expect(fourth?.[3]?.id).not.toBe(third?.[3]?.id);
  });

  it('count the text and reasoning of a chat', () => {
    const chat = run.ends.at(-1)?.messages ?? [];
    const total = chat.reduce((sum, message) => sum + aiSdkUiDialect.textLength(message), 0);
    const expected = [
      'Weather in Paris? 🌦',
      'The user wants the weather 🤔',
      'Let me check.',
      'Sunny, 21 °C in Paris.',
      'Book a table, see the attached note.',
      'Again.',
      'Booked for two at 8 pm.',
    ].reduce((sum, text) => sum + [...text].length, 0);
    expect(total).toBe(expected);
  });
});

describe('the response id', () => {
  it('is empty unless the UI message stream has generateMessageId, and such a save is refused', async () => {
    const original: UIMessage[] = [
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
    ];
    const { model } = scriptedModel([step.of(step.text('t', 'Hello.'))]);
    const result = streamText({ model, messages: await convertToModelMessages(original) });
    let saved: UIMessage[] = [];
    const stream = toUIMessageStream({
      stream: result.stream,
      originalMessages: original,
      onEnd: ({ messages }) => {
        saved = messages;
      },
    });
    let read: UIMessage | undefined;
    for await (const message of readUIMessageStream({ stream })) read = message;
    expect(read?.id).toBe('');
    expect(saved.map((message) => message.id)).toEqual(['u1', '']);
    expect(() => planSave(original, saved)).toThrow(EmptyMessageIdError);
  });
});
