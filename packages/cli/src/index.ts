// The public API of @contextlog/cli: the command line as a function, for embedding and tests.
export type { Command, CommandContext, Io } from './commands/command.js';
export { COMMANDS, findCommand } from './commands/table.js';
export { ERROR_TABLE, type ErrorCodeEntry } from './error-table.js';
export { FileError, UsageError } from './errors.js';
export { main } from './main.js';
export { type ErrorReport, reportError } from './report-error.js';
