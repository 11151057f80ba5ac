import { readFile } from 'node:fs/promises';

/** The first ```ts block after `heading` in a README (`file` relative to this folder). */
export async function tsBlockAfter(file: string, heading: string): Promise<string> {
  const text = await readFile(new URL(file, import.meta.url), 'utf8');
  const after = text.slice(text.indexOf(heading));
  const block = /```ts\n([\s\S]*?)```/.exec(after)?.[1];
  if (block === undefined) throw new Error(`${file}: no ts block after ${heading}`);
  return block;
}
