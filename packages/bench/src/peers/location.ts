import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the peers' npm project is (`packages/bench/peers`, installed by `pnpm bench:peers`), or
 * `BENCH_PEERS_DIR`: tests point it at an empty directory to see every peer row SKIP.
 */
export function peersDir(): string {
  const fromEnv = process.env.BENCH_PEERS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  // src/peers/ and dist/peers/ are both two levels below packages/bench.
  return fileURLToPath(new URL('../../peers/', import.meta.url));
}

export type Loaded<T> =
  | { readonly ok: true; readonly module: T }
  | { readonly ok: false; readonly reason: string };

export const NOT_INSTALLED = 'peer not installed: run pnpm bench:peers';

/**
 * Requires `specifier` from the peers' node_modules (never from the workspace's). The peers are
 * not installed when the workspace is, so their types are not known here: each caller states the
 * few members it uses as `T`.
 */
export function loadPeer<T>(specifier: string): Loaded<T> {
  const require = createRequire(path.join(peersDir(), 'package.json'));
  try {
    return { ok: true, module: require(specifier) as T };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND') return { ok: false, reason: NOT_INSTALLED };
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, reason: `peer ${specifier} failed to load: ${message}` };
  }
}
