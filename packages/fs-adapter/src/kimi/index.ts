// The public API of the kimi-cli interop module (re-exported by @contextlog/fs-adapter).
// Reading kimi-cli files is `readSessionFile` (format detected, or `format: 'kimi'`), which
// decodes each line with `decodeKimiLine`; import and export convert whole sessions.

export { decodeKimiLine, type KimiLine } from './decode-line.js';
export { encodeKimiMessage } from './encode-line.js';
export { KimiExportError } from './errors.js';
export { type ExportKimiOptions, type ExportKimiResult, exportKimiSession } from './export.js';
export { type ImportKimiOptions, type ImportKimiResult, importKimiSession } from './import.js';
export { canonicalKimiMessage, kimiStateDifference } from './kimi-state.js';
