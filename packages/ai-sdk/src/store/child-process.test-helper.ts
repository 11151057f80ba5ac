import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildPackage as buildWorkspacePackage,
  runNodeScript,
} from '@contextlog/fs-adapter/testing';
import { createPgClient } from '@contextlog/pg-adapter';
import { dropTables } from './backends.test-helper.js';
import type { ChatStoreOptions } from './chat-store.js';

export const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** The children run the compiled package: builds it (and what it references) from the sources. */
export const buildPackage = () => buildWorkspacePackage(packageDir);

export const scriptPath = (name: string) => join(packageDir, 'scripts', name);

/** Runs a script of scripts/ to its end and gives its stdout. */
export const runScript = (name: string, args: readonly string[]) =>
  runNodeScript(scriptPath(name), args);

/** A store a child process opens too: the parent's options and the child's `store-of.mjs` spec. */
export interface ChildTarget {
  readonly options: ChatStoreOptions;
  readonly spec: string[];
  /** Removes what the test made, once the children are done. */
  cleanup(): Promise<void>;
}

/** A fresh table on the real server at `url`, dropped by `cleanup`. */
export function postgresTarget(url: string, prefix: string): ChildTarget {
  const client = createPgClient(url);
  const table = `${prefix}_${process.pid}_${Date.now()}`;
  return {
    options: { client, table },
    spec: ['postgres', url, table],
    cleanup: async () => {
      await dropTables(client, table);
      await client.end();
    },
  };
}
