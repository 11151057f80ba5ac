import { readFile } from 'node:fs/promises';

/**
 * The first ```ts block of a README's section (`## …`, up to the next `## `), as a reader sees
 * it: tests compare it with the example file they run, so the README cannot drift from what runs.
 */
export async function readmeBlock(readme: URL, section: string): Promise<string> {
  const text = await readFile(readme, 'utf8');
  const start = text.indexOf(section);
  if (start === -1) throw new Error(`${readme.pathname} has no section "${section}"`);
  const end = text.indexOf('\n## ', start + section.length);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(start, end === -1 ? undefined : end));
  if (match?.[1] === undefined) throw new Error(`no ts block in "${section}"`);
  return match[1];
}
