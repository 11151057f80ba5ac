// @contextlog/openai-agents/testing: fast-check arbitraries of the SDK's AgentInputItems, for
// property tests of anything that stores them. fast-check is a peer dependency of this entry only.

export { type ArbAgentItemOptions, arbAgentItem, arbAgentItems } from './agent-item-arbitrary.js';
