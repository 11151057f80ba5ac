import { aiSdkUiDialect } from '@contextlog/ai-sdk/dialect';
import { claudeCodeDialect } from '@contextlog/claude-agent-sdk/dialect';
import type { Dialect } from '@contextlog/core';
import { openAiAgentsDialect } from '@contextlog/openai-agents/dialect';

/**
 * The message dialects the CLI knows besides kimi-cli's (the default, always known): a session
 * in one of them is validated and estimated with it. A session in any other is still read, its
 * messages unchecked, with a warning. Each comes from its adapter's `/dialect` entry, which
 * imports neither the framework nor the adapter's error codes.
 */
export const DIALECTS: readonly Dialect<unknown>[] = [
  aiSdkUiDialect,
  claudeCodeDialect,
  openAiAgentsDialect,
];
