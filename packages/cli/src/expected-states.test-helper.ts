// The states of the fixtures, written by hand from the format rules (not by running a reader).

const checkpoint = (
  id: number,
  messageCount: number,
  tokenCount: number,
  pendingTextLength: number,
) => ({ id, messageCount, tokenCount, pendingTextLength });

const lsCall = {
  type: 'function',
  id: 'Shell:0',
  function: { name: 'Shell', arguments: '{"command": "ls"}' },
};

/** fixtures/session.jsonl: pending text after the usage record is "Running ls." (11) +
 * "a.txt\nb.txt\n" (12) + "<system>CHECKPOINT 1</system>" (29) = 52 code points → 13 tokens. */
/** The dialect and estimator of every session here: kimi-cli's, the defaults. */
const KIMI_CLI_KIND = { dialect: { name: 'kimi-cli', version: 1 }, estimator: 'kimi-cli' };

export const SESSION_STATE = {
  format: 'contextlog',
  systemPrompt: 'You are a test agent.\nBe brief.',
  messages: [
    { role: 'user', content: 'list files' },
    { role: 'assistant', content: [{ type: 'text', text: 'Running ls.' }], tool_calls: [lsCall] },
    { role: 'tool', content: 'a.txt\nb.txt\n', tool_call_id: 'Shell:0' },
    { role: 'user', content: '<system>CHECKPOINT 1</system>' },
  ],
  tokenCount: 1200,
  pendingTokenEstimate: 13,
  tokenCountWithPending: 1213,
  nextCheckpointId: 2,
  checkpoints: [checkpoint(0, 0, 0, 0), checkpoint(1, 3, 1200, 23)],
  metadata: { model: 'kimi-k2' },
  ...KIMI_CLI_KIND,
  seq: 7,
  diagnostics: [],
};

/** fixtures/torn-tail.jsonl: the last event (checkpoint 1) lost its end; seq 6 is the last. */
export const TORN_TAIL_STATE = {
  ...SESSION_STATE,
  messages: SESSION_STATE.messages.slice(0, 3),
  pendingTokenEstimate: 5,
  tokenCountWithPending: 1205,
  nextCheckpointId: 1,
  checkpoints: [checkpoint(0, 0, 0, 0)],
  seq: 6,
};

/** fixtures/context.jsonl (kimi-cli): 8 records folded; after the last usage only the tool
 * message's text counts: "<system>Command executed successfully.</system>" (47) +
 * "a.txt\nb.txt\n" (12) = 59 → 14 tokens. */
export const KIMI_STATE = {
  format: 'kimi',
  systemPrompt: 'You are Kimi Code CLI. 你好',
  messages: [
    { role: 'user', content: 'list files' },
    {
      role: 'assistant',
      content: [
        { type: 'think', think: 'I should run ls', encrypted: 'sig==' },
        { type: 'text', text: 'Running ls.' },
      ],
      tool_calls: [lsCall],
    },
    {
      role: 'tool',
      content: [
        { type: 'text', text: '<system>Command executed successfully.</system>' },
        { type: 'text', text: 'a.txt\nb.txt\n' },
      ],
      tool_call_id: 'Shell:0',
    },
  ],
  tokenCount: 1234,
  pendingTokenEstimate: 14,
  tokenCountWithPending: 1248,
  nextCheckpointId: 2,
  checkpoints: [checkpoint(0, 0, 0, 0), checkpoint(1, 1, 0, 10)],
  metadata: {},
  ...KIMI_CLI_KIND,
  seq: 8,
  diagnostics: [],
};

// Written out, not core's initialState(): it is what `replay --json` prints, diagnostics included.
export const EMPTY_STATE = {
  systemPrompt: null,
  messages: [],
  tokenCount: 0,
  pendingTokenEstimate: 0,
  tokenCountWithPending: 0,
  nextCheckpointId: 0,
  checkpoints: [],
  metadata: {},
  ...KIMI_CLI_KIND,
  seq: 0,
  diagnostics: [],
};

/** fixtures/session.jsonl exported to kimi-cli's format and read back: kimi-cli writes content
 * of exactly one text part as a bare string, and has no place for metadata (seq aside). */
export const SESSION_STATE_AS_KIMI = {
  ...SESSION_STATE,
  format: 'kimi',
  metadata: {},
  messages: SESSION_STATE.messages.map((message) =>
    message.role === 'assistant' ? { ...message, content: 'Running ls.' } : message,
  ),
};
