// The calls of the differential test, as data (so a child process can replay them): applyOp
// runs one on a SessionStore and gives what can be compared across stores: whether it threw,
// and its value with each listing sorted and its mtimes replaced by their rank (mtimes are
// compared by order only).

export async function applyOp(store, op) {
  let value;
  try {
    value = await call(store, op);
  } catch (error) {
    return { threw: true, code: error?.code };
  }
  return { threw: false, value: comparable(op, value) };
}

function call(store, op) {
  switch (op.kind) {
    case 'append':
      return store.append(op.key, op.entries);
    case 'load':
      return store.load(op.key);
    case 'delete':
      return store.delete(op.key);
    case 'listSessions':
      return store.listSessions(op.projectKey);
    case 'listSessionSummaries':
      return store.listSessionSummaries(op.projectKey);
    case 'listSubkeys':
      return store.listSubkeys({ projectKey: op.projectKey, sessionId: op.sessionId });
    default:
      throw new Error(`unknown op ${op.kind}`);
  }
}

function comparable(op, value) {
  switch (op.kind) {
    case 'load':
      return value === null ? null : structuredClone(value);
    case 'listSessions':
    case 'listSessionSummaries': {
      const ranks = [...new Set(value.map((item) => item.mtime))].sort((a, b) => a - b);
      return value
        .map(({ mtime, ...rest }) => structuredClone({ ...rest, mtimeRank: ranks.indexOf(mtime) }))
        .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
    }
    case 'listSubkeys':
      return [...value].sort();
    default:
      return value ?? null;
  }
}
