// The adapter's error messages name causes as core's do.
export { describeError as describe } from '@contextlog/core';
