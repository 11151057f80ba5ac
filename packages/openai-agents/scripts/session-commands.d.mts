export type SessionCommand =
  | { op: 'getItems'; limit?: number }
  | { op: 'addItems'; items: unknown[] }
  | { op: 'popItem' }
  | { op: 'clearSession' }
  | { op: 'applyHistoryMutations'; mutations: unknown[] }
  | { op: 'applyHistoryTransaction'; args: unknown }
  | { op: 'replaceHistoryWithCompaction'; items: unknown[] };

export type Outcome = { value: unknown } | { threw: string };

export function runCommand(session: object, command: SessionCommand): Promise<Outcome>;
export function runCommands(
  session: object,
  commands: readonly SessionCommand[],
): Promise<{ outcomes: Outcome[]; items: unknown[] }>;
