// The public API of @contextlog/kimi: kimi-cli's context.jsonl as a contextlog session format.
// Reading kimi-cli files is `readSessionFile(path, { formats: [contextlogFormat, kimiFormat] })`
// (format detected, or `format: 'kimi'`), which decodes each line with `decodeKimiLine`; import
// and export convert whole sessions.

export { decodeKimiLine, type KimiLine } from './decode-line.js';
export { encodeKimiMessage } from './encode-line.js';
export { KimiExportError } from './errors.js';
export { type ExportKimiOptions, type ExportKimiResult, exportKimiSession } from './export.js';
export { type ImportKimiOptions, type ImportKimiResult, importKimiSession } from './import.js';
export { kimiFormat } from './kimi-format.js';
export { canonicalKimiMessage, kimiStateDifference } from './kimi-state.js';
