import { readFile } from 'node:fs/promises';

/**
 * The first ```ts block of a README's section (from its `## ` heading to the next), as a reader
 * sees it: what a test compares with the example file it runs, so the README cannot drift.
 */
export async function readmeTsBlock(readme: URL, section: string): Promise<string> {
  const text = await readFile(readme, 'utf8');
  const start = text.indexOf(section);
  if (start === -1) throw new Error(`${readme.pathname} has no section "${section}"`);
  const end = text.indexOf('\n## ', start + section.length);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(start, end === -1 ? undefined : end));
  if (match?.[1] === undefined) throw new Error(`no ts block in "${section}"`);
  return match[1];
}
