import { mkdir } from 'node:fs/promises';
import { openAgentsSession } from '@contextlog/openai-agents';
import { Agent, run, setTracingDisabled, tool } from '@openai/agents-core';
import { assistantMessage, functionCall, ScriptedModel } from '@openai/agents-core/testing';
import { z } from 'zod';

setTracingDisabled(true);

// Any model works (@openai/agents gives OpenAI's); this scripted one calls a tool, then answers.
const model = new ScriptedModel([
  [functionCall('weather', { city: 'Paris' }, { callId: 'call-1' })],
  [assistantMessage('Sunny in Paris.')],
  [assistantMessage('You asked about the weather in Paris.')],
]);
const weather = tool({
  name: 'weather',
  description: 'The weather in a city.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});
const agent = new Agent({ name: 'assistant', model, tools: [weather] });

await mkdir('sessions', { recursive: true });

// One session, one file, created if missing. A second process opening it gets
// SessionLockedError (code SESSION_LOCKED) until this one closes it.
const session = await openAgentsSession('sessions/user-42.jsonl');
await run(agent, 'What is the weather in Paris?', { session });
await session.close();

// After a restart, or in another process: the same history, and the next run builds on it.
const resumed = await openAgentsSession('sessions/user-42.jsonl');
const result = await run(agent, 'What did I ask?', { session: resumed });
console.log(result.finalOutput); // You asked about the weather in Paris.
console.log((await resumed.getItems()).map((item) => item.type));
// [ 'message', 'function_call', 'function_call_result', 'message', 'message', 'message' ]
await resumed.close();
