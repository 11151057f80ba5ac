import { createContext, openMemoryStore } from '@contextlog/core';
import { fc, test } from '@fast-check/vitest';
import { protocol } from '@openai/agents-core';
import { describe, expect, it } from 'vitest';
import { arbAgentItem } from '../testing/index.js';
import { type AGENT_ITEM_TYPES, AgentItemSchema } from './agent-item.js';
import { openAiAgentsDialect } from './openai-agents-dialect.js';
import { agentItemTextLength } from './text-length.js';

describe('the openai-agents dialect', () => {
  test.prop([arbAgentItem()])('takes every item the arbitrary makes, as the SDK does', (item) => {
    expect(AgentItemSchema.safeParse(item).success).toBe(true);
    // The SDK's parse strips what it does not know: equal means the arbitrary makes SDK items.
    expect(protocol.ModelItem.parse(item)).toEqual(item);
  });

  it('takes one minimal item of every type the SDK 0.20 defines, and refuses other types', () => {
    const minimal: Record<(typeof AGENT_ITEM_TYPES)[number], Record<string, unknown>> = {
      function_call: { type: 'function_call', callId: 'c', name: 'f', arguments: '{}' },
      function_call_result: {
        type: 'function_call_result',
        callId: 'c',
        name: 'f',
        status: 'completed',
        output: 'ok',
      },
      hosted_tool_call: { type: 'hosted_tool_call', name: 'web_search' },
      computer_call: {
        type: 'computer_call',
        callId: 'c',
        status: 'completed',
        action: { type: 'screenshot' },
      },
      computer_call_result: {
        type: 'computer_call_result',
        callId: 'c',
        output: { type: 'computer_screenshot', data: 'AA==' },
      },
      shell_call: { type: 'shell_call', callId: 'c', action: { commands: ['ls'] } },
      shell_call_output: { type: 'shell_call_output', callId: 'c', output: [] },
      apply_patch_call: {
        type: 'apply_patch_call',
        callId: 'c',
        status: 'completed',
        operation: { type: 'delete_file', path: 'a' },
      },
      apply_patch_call_output: {
        type: 'apply_patch_call_output',
        callId: 'c',
        status: 'completed',
      },
      tool_search_call: { type: 'tool_search_call', arguments: {} },
      tool_search_output: { type: 'tool_search_output', tools: [] },
      program: { type: 'program', callId: 'c', code: 'x' },
      program_output: { type: 'program_output', callId: 'c', output: '', status: 'completed' },
      reasoning: { type: 'reasoning', content: [] },
      compaction: { type: 'compaction', encrypted_content: 'x' },
      unknown: { type: 'unknown', providerData: { anything: 1 } },
    };
    for (const item of Object.values(minimal)) {
      expect(AgentItemSchema.safeParse(item).success, JSON.stringify(item)).toBe(true);
    }
    for (const item of [
      { type: 'function_call_output', callId: 'c' },
      { type: 'function_call', name: 'f', arguments: '{}' },
      { role: 'developer', content: 'x' },
      { type: 'message', role: 'user' },
      { content: 'no role' },
      'a string',
      null,
    ]) {
      expect(AgentItemSchema.safeParse(item).success, JSON.stringify(item)).toBe(false);
    }
  });

  it('keeps unknown provider fields and gives the item back as it is', async () => {
    const item = JSON.parse(
      '{"role":"user","content":"hi","providerData":{"x":[1]},"newField":true,"__proto__":{"a":1}}',
    );
    const engine = await createContext(await openMemoryStore(), { dialect: openAiAgentsDialect });
    await engine.appendMessages(item);
    expect(JSON.stringify(engine.state.messages[0])).toBe(JSON.stringify(item));
    await engine.close();
  });

  it('counts what a model reads', () => {
    expect(agentItemTextLength({ role: 'user', content: 'héllo' })).toBe(5);
    expect(
      agentItemTextLength({
        role: 'assistant',
        status: 'completed',
        content: [
          { type: 'output_text', text: 'ab' },
          { type: 'refusal', refusal: 'no' },
        ],
      }),
    ).toBe(4);
    expect(
      agentItemTextLength({ type: 'function_call', callId: 'c', name: 'f', arguments: '{"a":1}' }),
    ).toBe(7);
    expect(
      agentItemTextLength({
        type: 'function_call_result',
        callId: 'c',
        name: 'f',
        output: [{ type: 'input_text', text: 'abc' }],
      }),
    ).toBe(3);
    expect(
      agentItemTextLength({
        type: 'reasoning',
        content: [{ type: 'input_text', text: 'ab' }],
        rawContent: [{ type: 'reasoning_text', text: 'cd' }],
      }),
    ).toBe(4);
    expect(agentItemTextLength({ type: 'compaction', encrypted_content: 'secret' })).toBe(0);
    expect(agentItemTextLength({ type: 'function_call_result', callId: 'c', output: 'x' })).toBe(1);
  });

  test.prop([fc.array(arbAgentItem(), { maxLength: 5 })])(
    'a session of these items replays to its live state',
    async (items) => {
      const store = await openMemoryStore();
      const engine = await createContext(store, { dialect: openAiAgentsDialect });
      await engine.appendMessages(items);
      const again = await createContext(await store.openAnother(), {
        dialect: openAiAgentsDialect,
      });
      expect(again.state.messages).toEqual(engine.state.messages);
      expect(again.state.pendingTextLength).toBe(
        items.reduce((sum, item) => sum + agentItemTextLength(item), 0),
      );
      await engine.close();
      await again.close();
    },
  );
});
