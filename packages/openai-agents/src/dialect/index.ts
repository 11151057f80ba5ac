// @contextlog/openai-agents/dialect: the `openai-agents` dialect alone. Its import graph holds
// only @contextlog/core and zod (no SDK), so readers such as the CLI can check sessions with it.

export {
  AGENT_ITEM_TYPES,
  AGENT_MESSAGE_ROLES,
  type AgentItem,
  AgentItemSchema,
} from './agent-item.js';
export { openAiAgentsDialect } from './openai-agents-dialect.js';
export { agentItemTextLength } from './text-length.js';
