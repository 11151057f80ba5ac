// Child process of the crash-leftover test (src/store/multi-process.test.ts): snapshots a session,
// or forks it, through a file system whose final rename or link (the one that would move the
// finished temporary file into place) never returns. It prints the temporary file's path and
// waits to be SIGKILLed, which leaves that full-size temporary file behind.
import { defaultFileSystem, forkSession, snapshotSessionFile } from '../dist/index.js';

const [what, path, target] = process.argv.slice(2);
const stalling = (call) => (from, to) => {
  // The lock's own temporary files are moved to `<file>.lock…`: those go through.
  if (to.includes('.lock')) return defaultFileSystem[call](from, to);
  process.stdout.write(`stalled ${from}\n`);
  setInterval(() => {}, 60_000);
  return new Promise(() => {});
};
const fs = { ...defaultFileSystem, link: stalling('link'), rename: stalling('rename') };
if (what === 'snapshot') await snapshotSessionFile(path, { fs });
else await forkSession(path, target, { fs });
