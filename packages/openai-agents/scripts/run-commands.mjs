// Child process of the differential test: opens a session that another process wrote and
// closed, runs the calls of a JSON file on it, and prints their outcomes and the history as
// JSON. Usage: run-commands.mjs <commands.json> <session spec…> (see session-of.mjs).
import { readFile } from 'node:fs/promises';
import { runCommands } from './session-commands.mjs';
import { sessionOf } from './session-of.mjs';

const [commandsPath, ...spec] = process.argv.slice(2);
const commands = JSON.parse(await readFile(commandsPath, 'utf8'));
const { session, end } = await sessionOf(spec);
const result = await runCommands(session, commands);
await session.close();
await end();
process.stdout.write(`${JSON.stringify(result)}\n`);
