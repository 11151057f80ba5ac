// The public API of @contextlog/openai-agents: durable sessions for the OpenAI Agents SDK
// (@openai/agents-core 0.20), each a contextlog session whose messages are `AgentInputItem`s
// (the `openai-agents` dialect), in a file or a PostgreSQL table.

export {
  AGENT_ITEM_TYPES,
  type AgentItem,
  AgentItemSchema,
  agentItemTextLength,
  openAiAgentsDialect,
} from './dialect/index.js';
export {
  AgentsSessionClosedError,
  InvalidHistoryMutationError,
  InvalidHistoryTransactionError,
} from './errors.js';
export {
  type AgentsSession,
  type AgentsSessionOptions,
  type AgentsSessionTarget,
  openAgentsSession,
} from './session/agents-session.js';
export { type AgentsPgClient, DEFAULT_AGENTS_TABLE } from './session/pg-options.js';
