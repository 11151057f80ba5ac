import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildPackage as buildWorkspacePackage,
  runNodeScript,
} from '@contextlog/fs-adapter/testing';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** The children run the compiled package: builds it (and what it references) from the sources. */
export const buildPackage = () => buildWorkspacePackage(packageDir);

/** Runs a script of scripts/ to its end and gives its stdout. */
export const runScript = (name: string, args: readonly string[]) =>
  runNodeScript(join(packageDir, 'scripts', name), args);
