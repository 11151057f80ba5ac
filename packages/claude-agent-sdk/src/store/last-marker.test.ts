import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from '@contextlog/fs-adapter/testing/vitest';
import { describe, expect } from 'vitest';
import { lastMarkerOfFile, markerOfEventData } from './last-marker.js';

const marker = { type: 'contextlog.summary', mtime: 7, summary: { a: 1 } };
const line = (messages: unknown[]) =>
  `${JSON.stringify({ seq: 2, type: 'messages.appended', v: 1, at: 'x', data: { messages } })}\n`;

describe('lastMarkerOfFile', () => {
  it('reads the marker ending the last line, however long the line', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    const big = { type: 'user', text: 'x'.repeat(200_000) };
    await writeFile(
      path,
      `{"header":1}\n${line([big, { ...marker, mtime: 1 }])}${line([big, marker])}`,
    );
    expect(await lastMarkerOfFile(path)).toEqual(marker);
    await writeFile(path, line([marker]));
    expect(await lastMarkerOfFile(path)).toEqual(marker);
  });

  it('gives undefined for a last line unfinished, or no append of this store', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    await writeFile(path, `{"header":1}\n${line([marker]).slice(0, -5)}`);
    expect(await lastMarkerOfFile(path)).toBeUndefined();
    await writeFile(path, `{"header":1}\n${line([{ type: 'user' }])}`);
    expect(await lastMarkerOfFile(path)).toBeUndefined();
    await writeFile(path, `{"header":1}\n{"seq":1,"type":"session.declared","data":{}}\n`);
    expect(await lastMarkerOfFile(path)).toBeUndefined();
    await writeFile(path, '');
    expect(await lastMarkerOfFile(path)).toBeUndefined();
  });

  it('reads a PostgreSQL head event the same way', () => {
    expect(markerOfEventData(JSON.stringify({ messages: [{ type: 'user' }, marker] }))).toEqual(
      marker,
    );
    expect(markerOfEventData('not json')).toBeUndefined();
  });
});
