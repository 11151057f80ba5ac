import { codePointLength } from '@contextlog/core';
import { test } from '@fast-check/vitest';
import type { UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { arbUiMessage } from '../testing/index.js';
import { aiSdkUiDialect } from './ai-sdk-ui-dialect.js';

// Parts as the SDK types them, and some it would not make (checked as they are all the same).
const message = (parts: unknown[]): UIMessage => ({
  id: 'm',
  role: 'assistant',
  parts: parts as UIMessage['parts'],
});

describe('aiSdkUiDialect', () => {
  it('is the ai-sdk-ui dialect, version 1, without a checkpoint message', () => {
    expect(aiSdkUiDialect.name).toBe('ai-sdk-ui');
    expect(aiSdkUiDialect.version).toBe(1);
    expect(aiSdkUiDialect.checkpointMessage).toBeUndefined();
    expect(Object.isFrozen(aiSdkUiDialect)).toBe(true);
  });

  it('counts the code points of text and reasoning parts', () => {
    const counted = message([
      { type: 'text', text: 'héllo 👋' }, // 7 code points, 8 UTF-16 units
      { type: 'reasoning', text: '漢字' },
      { type: 'step-start' },
      {
        type: 'tool-weather',
        toolCallId: 'c',
        state: 'output-available',
        input: 'abc',
        output: 'x',
      },
      { type: 'dynamic-tool', toolName: 't', toolCallId: 'd', text: 'not counted' },
      { type: 'data-note', data: { text: 'not counted' } },
      { type: 'source-url', sourceId: 's', url: 'https://example.com', title: 'not counted' },
      { type: 'file', mediaType: 'text/plain', url: 'data:text/plain;base64,aGk=' },
    ]);
    expect(aiSdkUiDialect.textLength(counted)).toBe(9);
  });

  it('counts nothing for a text part whose text is not a string', () => {
    expect(aiSdkUiDialect.textLength(message([{ type: 'text', text: 42 }, { type: 'text' }]))).toBe(
      0,
    );
  });

  test.prop([arbUiMessage()])('counts what the parts say, whatever else the message holds', (m) => {
    const expected = m.parts
      .filter((part) => part.type === 'text' || part.type === 'reasoning')
      .reduce((sum, part) => sum + codePointLength(String((part as { text?: unknown }).text)), 0);
    expect(aiSdkUiDialect.textLength(m)).toBe(expected);
  });
});
