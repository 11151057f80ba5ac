import type { AgentInputItem, SessionHistoryMutation } from '@openai/agents-core';
import { applySessionHistoryMutations } from '@openai/agents-core';
import { InvalidHistoryMutationError } from '../errors.js';
import { cloneItems } from './clone-items.js';

/**
 * The history after `mutations`, computed by the SDK's own `applySessionHistoryMutations` (a
 * `replace_function_call` puts its replacement where the first `function_call` with its `callId`
 * was and drops the later ones with that id; no match, no change). A mutation of another type is
 * refused (`InvalidHistoryMutationError`) where the SDK skips it: a change this session cannot
 * make must not look made.
 */
export function applyMutations(
  sessionId: string,
  items: readonly AgentInputItem[],
  mutations: readonly SessionHistoryMutation[],
): AgentInputItem[] {
  const checked = mutations.map((mutation, index) => {
    if (mutation?.type !== 'replace_function_call') {
      throw new InvalidHistoryMutationError(
        sessionId,
        index,
        'only replace_function_call is known',
      );
    }
    if (typeof mutation.callId !== 'string') {
      throw new InvalidHistoryMutationError(sessionId, index, 'callId must be a string');
    }
    const [replacement] = cloneItems([mutation.replacement]);
    return { ...mutation, replacement: replacement as typeof mutation.replacement };
  });
  return applySessionHistoryMutations([...items], checked);
}
