// Child process of the runner test: opens a session another process wrote and closed, and
// prints its history as JSON. Usage: print-items.mjs <session spec…> (see session-of.mjs).
import { sessionOf } from './session-of.mjs';

const { session, end } = await sessionOf(process.argv.slice(2));
const items = await session.getItems();
await session.close();
await end();
process.stdout.write(`${JSON.stringify(items)}\n`);
