/**
 * `importKimiSession` as issue 5 specifies it, loaded dynamically so the bench builds while the
 * kimi module is still being written; until it is exported, only the kimi scenario fails, saying
 * what is missing.
 */
export type ImportKimiSession = (
  kimiPath: string,
  outPath: string,
  options?: { mode?: 'strict' | 'lenient' },
) => Promise<unknown>;

export async function loadImportKimiSession(): Promise<ImportKimiSession> {
  const module = (await import('@contextlog/fs-adapter')) as Record<string, unknown>;
  const found = module.importKimiSession;
  if (typeof found !== 'function') {
    throw new Error('@contextlog/fs-adapter does not export importKimiSession (yet)');
  }
  return found as ImportKimiSession;
}
