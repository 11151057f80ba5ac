import type { Message } from '@contextlog/core';
import { createRandom } from '../lib/prng.js';

const WORDS = (
  'the agent reads the file and runs the tests then edits a function to fix the failing case ' +
  'because the parser drops a field when the input has nested arrays so we add a check and ' +
  'rerun the suite which passes now except one flaky timeout in the network layer'
).split(' ');

// One message in ten carries non-ASCII text, as real sessions do (CJK, accents, emoji).
const NON_ASCII = ['你好，世界', 'café déjà vu', 'ошибка сборки', '🙂 ok 🚀'];

/** About `bytes` bytes of UTF-8 text. */
function text(random: () => number, bytes: number): string {
  const words: string[] = [];
  let length = 0;
  if (random() < 0.1) {
    const extra = NON_ASCII[Math.floor(random() * NON_ASCII.length)] as string;
    words.push(extra);
    length += Buffer.byteLength(extra) + 1;
  }
  while (length < bytes) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

/**
 * A pool of `count` different messages of ~`textBytes` bytes of text each, in the mix of a
 * coding agent's session: user turns, assistant turns with a tool call, tool results.
 */
export function messagePool(count: number, textBytes = 300, seed = 7): Message[] {
  const random = createRandom(seed);
  const pool: Message[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const body = text(random, textBytes);
    if (kind === 0) pool.push({ role: 'user', content: body });
    else if (kind === 1) {
      pool.push({
        role: 'assistant',
        content: [{ type: 'text', text: body }],
        tool_calls: [
          {
            type: 'function',
            id: `Shell:${i}`,
            function: { name: 'Shell', arguments: JSON.stringify({ command: 'ls -la src' }) },
          },
        ],
      });
    } else if (kind === 2) {
      pool.push({
        role: 'tool',
        content: [{ type: 'text', text: body }],
        tool_call_id: `Shell:${i - 1}`,
      });
    } else pool.push({ role: 'assistant', content: body });
  }
  return pool;
}
