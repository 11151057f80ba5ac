#!/usr/bin/env node
import { codeOf } from '@contextlog/core';
import { main } from './main.js';
import { reportError } from './report-error.js';

// A reader that goes away early (`contextlog demo | head -3`) is a normal end, not a crash: the
// next write to stdout fails with EPIPE, whichever command made it.
process.stdout.on('error', (error: Error) => {
  if (codeOf(error) === 'EPIPE') process.exit(0);
  process.stderr.write(`${reportError(error).text}\n`);
  process.exit(1);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
