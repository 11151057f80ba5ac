// `@contextlog/fs-adapter/formats`: what the author of a session format (a package like
// @contextlog/kimi) builds on. Users of formats need only the main entry point.

export { openRegularFile, writeFully } from './fs/file-system.js';
export { type ChunkedWriter, createChunkedWriter } from './publish/chunked-writer.js';
export { checkOutPath } from './publish/out-path.js';
export {
  openTemporary,
  publishFile,
  removeQuietly,
  type Temporary,
} from './publish/publish-file.js';
export {
  DETECT_WINDOW,
  type Detection,
  detectFormat,
  detectFormatDetail,
  detectFormatOfBlock,
} from './read/detect-format.js';
// The shape checks of a message in parsed JSON (contextlog's fast path and a format's may share them).
export {
  isJsonRecord,
  isRole,
  isToolCallShape,
  knownPartIsValid,
  optionalOf,
} from './read/json-shape.js';
export { type LineBatch, lineBatches } from './read/line-batches.js';
export { eventsOfHandle } from './read/read-session-events.js';
export { readOpenSession } from './read/read-session-file.js';
export type {
  DecoderContext,
  DetectedLine,
  EventSink,
  FormatClaim,
  FormatDecoder,
  FormatEncoder,
  SessionFormat,
  SessionFormatName,
} from './read/session-format.js';
