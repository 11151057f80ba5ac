// `@contextlog/fs-adapter/testing`: what tests of this package and of formats built on it share.
// Nothing here imports vitest (its fixtures are in `./vitest.ts`, the `testing/vitest` subpath).

export { TEST_AT, TEST_HEADER, usageLine } from './lines.js';
export { readmeBlock } from './readme-block.js';
export { faultyFileSystem, sha256, tempDir } from './temp-dir.js';
