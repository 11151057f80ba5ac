// The public API of @contextlog/fs-adapter.

export { deleteFileSession } from './catalog/delete-file.js';
export { inspectFileSession } from './catalog/inspect-file.js';
export { listFileSessions } from './catalog/list-files.js';
export {
  decodeName,
  encodeName,
  MAX_ENCODED_NAME_LENGTH,
  type NameEncoding,
} from './catalog/name-encoding.js';
export type {
  CatalogProgress,
  DeleteFileOptions,
  DeleteFileResult,
  FileSessionInfo,
  FileSessionList,
  InspectFileOptions,
  ListFileSessionsOptions,
} from './catalog/types.js';
export {
  AppendFailedError,
  DanglingSymlinkError,
  DirectoryNotFoundError,
  NotAFileError,
  NotASessionError,
  RewriteCheckError,
  SessionLockedError,
  SessionNotFoundError,
  SessionReplacedError,
  SessionRolledBackError,
  StateTooLargeError,
  TargetExistsError,
  UnknownFormatError,
  WriteFailedError,
} from './errors.js';
export {
  type FollowFileOptions,
  type FollowOptions,
  followFileSession,
  followSessionFile,
} from './follow/follow-session-file.js';
export { FORMAT_VERSION, headerLine, type SessionHeader } from './format/header.js';
export { defaultFileSystem, type FileHandleLike, type FileSystem } from './fs/file-system.js';
export {
  type LockOptions,
  lockPathOf,
  readSessionLock,
  type SessionLockStatus,
} from './lock/session-lock.js';
export { contextlogFormat } from './read/contextlog-format.js';
export { type ReadEventsOptions, readSessionEvents } from './read/read-session-events.js';
export { readSessionFile } from './read/read-session-file.js';
// What a format plugin fills: see ./formats.ts (the `@contextlog/fs-adapter/formats` subpath).
export type { SessionFormat, SessionFormatName, TornTail } from './read/session-format.js';
export type {
  Diagnostic,
  ReadCounts,
  ReadMode,
  ReadProgress,
  ReadSessionOptions,
  ReadSessionResult,
} from './read/types.js';
export { type ForkOptions, type ForkResult, forkSession } from './rewrite/fork-session.js';
export {
  type RewriteProgress,
  type SnapshotOptions,
  type SnapshotResult,
  snapshotSessionFile,
} from './rewrite/snapshot-session-file.js';
export {
  type Durability,
  type FileEventStore,
  type FileStoreOptions,
  openFileStore,
} from './store/file-store.js';
export {
  type FileSessionOptions,
  type OpenSessionOptions,
  openFileSession,
  openSession,
} from './store/open-session.js';
