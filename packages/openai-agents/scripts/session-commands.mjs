/**
 * One call of a session (the SDK's MemorySession or ours) as plain JSON, so that a test can run
 * the same calls in its own process and in a child: `{ op, ...arguments }`. The outcome is
 * `{ value }` or `{ threw }` (the error's code, or its name): tests compare thrown or not.
 */
export async function runCommand(session, command) {
  try {
    return { value: await call(session, command) };
  } catch (error) {
    return { threw: String(error?.code ?? error?.name ?? 'Error') };
  }
}

async function call(session, command) {
  switch (command.op) {
    case 'getItems':
      return 'limit' in command ? session.getItems(command.limit) : session.getItems();
    case 'addItems':
      return session.addItems(command.items);
    case 'popItem':
      return session.popItem();
    case 'clearSession':
      return session.clearSession();
    case 'applyHistoryMutations':
      return session.applyHistoryMutations({ mutations: command.mutations });
    case 'applyHistoryTransaction':
      return session.applyHistoryTransaction(command.args);
    case 'replaceHistoryWithCompaction':
      if (session.replaceHistoryWithCompaction) {
        return session.replaceHistoryWithCompaction(command.items);
      }
      // MemorySession has none: the same change by its own methods (history replaced, the
      // operation ids it applied kept, as a compaction keeps them).
      while ((await session.popItem()) !== undefined);
      return session.addItems(command.items);
    default:
      throw new Error(`unknown command ${command.op}`);
  }
}

/** Runs `commands` in order; the outcomes, then the whole history at the end. */
export async function runCommands(session, commands) {
  const outcomes = [];
  for (const command of commands) outcomes.push(await runCommand(session, command));
  return { outcomes, items: await session.getItems() };
}
