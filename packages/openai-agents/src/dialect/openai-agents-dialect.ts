import { type Dialect, defineDialect } from '@contextlog/core';
import { type AgentItem, AgentItemSchema } from './agent-item.js';
import { agentItemTextLength } from './text-length.js';

/**
 * The `openai-agents` dialect (v1): sessions whose messages are the OpenAI Agents SDK's
 * `AgentInputItem`s (@openai/agents-core 0.20). No `checkpointMessage`: a user turn is the
 * runner's to write, so `checkpoint({ addUserMessage: true })` is refused on such a session.
 */
export const openAiAgentsDialect: Dialect<AgentItem> = defineDialect<AgentItem>({
  name: 'openai-agents',
  version: 1,
  schema: AgentItemSchema,
  textLength: agentItemTextLength,
});
