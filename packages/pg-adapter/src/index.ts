// The public API of @contextlog/pg-adapter.

// Core's own class (copying moved to core's `copyEvents`), still importable from here.
export { CopyTargetNotEmptyError } from '@contextlog/core';
export { deletePgSession } from './catalog/delete.js';
export { inspectPgSession } from './catalog/inspect.js';
export { listPgSessions } from './catalog/list.js';
export type {
  DeletePgResult,
  InspectPgSessionOptions,
  ListPgSessionsOptions,
  PgCatalogOptions,
  PgSessionDetail,
  PgSessionInfo,
  PgSessionTarget,
} from './catalog/types.js';
export { createPgliteClient, type PgliteLike, pgliteClient } from './client/pglite-client.js';
export {
  createPgClient,
  type PgConnectionSettings,
  type PgNamedQuery,
  type PgPoolClientLike,
  type PgPoolClientOptions,
  type PgPoolLike,
  pgPoolClient,
} from './client/pool-client.js';
export type {
  PgClient,
  PgConnection,
  PgQueryable,
  PgQueryOptions,
  PgRows,
  PgUnlisten,
} from './client/types.js';
export {
  ConnectionLostError,
  CopySourceEmptyError,
  DriverMissingError,
  type PgDriverName,
  PgFenceTimeoutError,
  PgMigrationNeededError,
  PgSchemaMismatchError,
  PgSessionNotFoundError,
  PgTableMissingError,
} from './errors.js';
export { type FollowPgOptions, followPgSession } from './follow/follow.js';
export {
  type MigrateOptions,
  type MigrateResult,
  migrate,
  type PayloadColumn,
} from './schema/migrate.js';
export {
  DEFAULT_TABLE,
  sessionsTableName,
  snapshotsTableName,
  type TableName,
  tableName,
} from './schema/table.js';
export { openPgSession, type PgSessionOptions } from './session.js';
export {
  type SnapshotPgOptions,
  type SnapshotPgResult,
  snapshotPgSession,
} from './snapshot/snapshot-session.js';
export {
  createPgStore,
  openPgStore,
  type PgEventStore,
  type PgStoreOptions,
} from './store/pg-store.js';
