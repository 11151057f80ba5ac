import type { Dialect } from '@contextlog/core';

/**
 * The message dialects the CLI knows besides kimi-cli's (the default, always known): a session
 * in one of them is validated and estimated with it. A session in any other is still read, its
 * messages unchecked, with a warning.
 */
export const DIALECTS: readonly Dialect[] = [];
