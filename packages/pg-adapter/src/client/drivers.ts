import { codeOf } from '@contextlog/core';
import { DriverMissingError, type PgDriverName } from '../errors.js';
import type { PgliteLike } from './pglite-client.js';
import type { PgPoolLike } from './pool-client.js';

// `pg` and PGlite are optional peer dependencies: a user of one (or of the file-only CLI) does
// not install the other. So neither is imported at the top of any module; each is imported the
// first time it is needed, and its absence is a typed error that says what to install. The
// types here describe what contextlog uses of each, by shape, so the published declarations
// name neither package and compile without their types.

/** What contextlog uses of a `pg` Pool beyond `PgPoolLike`. */
export interface PgDriverPool extends PgPoolLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What a side query uses of a `pg` Client. */
export interface PgDriverClient {
  connect(): Promise<unknown>;
  query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What contextlog uses of the `pg` module. */
export interface PgDriver {
  readonly Pool: new (config: { connectionString: string; max: number }) => PgDriverPool;
  readonly Client: new (config: object) => PgDriverClient;
}

/** What contextlog uses of the `@electric-sql/pglite` module. */
export interface PgliteDriver {
  readonly PGlite: {
    create(dataDir?: string): Promise<PgliteLike & { close(): Promise<void> }>;
  };
}

/** Node's "cannot find package" for `name` itself (not for a package it imports). */
function isMissing(error: unknown, name: PgDriverName): boolean {
  const code = codeOf(error);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return error instanceof Error && error.message.includes(`'${name}'`);
}

async function load<T>(name: PgDriverName, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    throw isMissing(error, name) ? new DriverMissingError(name, { cause: error }) : error;
  }
}

const importPg = async (): Promise<PgDriver> => (await import('pg')).default;
const importPglite = async (): Promise<PgliteDriver> => import('@electric-sql/pglite');

/** The `pg` module, or `DriverMissingError` when it is not installed. */
export function loadPg(importer: () => Promise<PgDriver> = importPg): Promise<PgDriver> {
  return load('pg', importer);
}

/** The `@electric-sql/pglite` module, or `DriverMissingError` when it is not installed. */
export function loadPglite(
  importer: () => Promise<PgliteDriver> = importPglite,
): Promise<PgliteDriver> {
  return load('@electric-sql/pglite', importer);
}
