/**
 * The chat after save `k` of the killed-save test: k turns, a user message and a reply each;
 * the last reply of an even k is a regenerated one (a new id and text), so going from k to k + 1
 * is sometimes an append and sometimes a replace of the tail. Every 7th reply is large (64 KiB),
 * so that some saves span more than one write.
 */
export function chatTurns(k) {
  const messages = [];
  for (let i = 0; i < k; i++) {
    const again = i === k - 1 && k % 2 === 0;
    const big = i % 7 === 3 ? ` ${'x'.repeat(65_536)}` : '';
    messages.push({ id: `u${i}`, role: 'user', parts: [{ type: 'text', text: `question ${i}` }] });
    messages.push({
      id: again ? `a${i}-again` : `a${i}`,
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: `thinking about ${i}` },
        { type: 'text', text: `${again ? 'regenerated ' : ''}answer ${i}${big}` },
      ],
    });
  }
  return messages;
}
