// The public API of @contextlog/fs-adapter.

export {
  AppendFailedError,
  DanglingSymlinkError,
  DirectoryNotFoundError,
  NotAFileError,
  RewriteCheckError,
  SessionLockedError,
  SessionNotFoundError,
  SessionReplacedError,
  SessionRolledBackError,
  StateTooLargeError,
  TargetExistsError,
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
// kimi-cli interop (the kimi module adds its exports below).
export * from './kimi/index.js';
export { lockPathOf, readSessionLock, type SessionLockStatus } from './lock/session-lock.js';
export { type ReadEventsOptions, readSessionEvents } from './read/read-session-events.js';
export { readSessionFile } from './read/read-session-file.js';
export type {
  Diagnostic,
  ReadCounts,
  ReadMode,
  ReadProgress,
  ReadSessionOptions,
  ReadSessionResult,
  SessionFormat,
} from './read/types.js';
export { type ForkOptions, type ForkResult, forkSession } from './rewrite/fork-session.js';
export {
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
