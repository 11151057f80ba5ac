// Child process of src/store/killed-save.test.ts: saves a chat over and over, each save the
// next list of chatTurns (appends and regenerated replies), and prints `ack <k>` once save k
// resolved (stdout to a pipe is synchronous on Linux: a printed ack was acknowledged before any
// kill). Usage: save-loop.mjs <chatId> <first k> <store spec…>.
import { chatTurns } from './chat-turns.mjs';
import { storeOf } from './store-of.mjs';

const [chatId, first, ...spec] = process.argv.slice(2);
const { chats } = await storeOf(spec);
process.stdout.write('open\n');
for (let k = Number(first); ; k++) {
  await chats.saveChat({ chatId, messages: chatTurns(k) });
  process.stdout.write(`ack ${k}\n`);
}
