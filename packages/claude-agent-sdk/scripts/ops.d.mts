export type Op =
  | { kind: 'append'; key: Key; entries: Record<string, unknown>[] }
  | { kind: 'load'; key: Key }
  | { kind: 'delete'; key: Key }
  | { kind: 'listSessions'; projectKey: string }
  | { kind: 'listSessionSummaries'; projectKey: string }
  | { kind: 'listSubkeys'; projectKey: string; sessionId: string };
export interface Key {
  projectKey: string;
  sessionId: string;
  subpath?: string;
}
export type OpResult = { threw: true; code: unknown } | { threw: false; value: unknown };
export function applyOp(store: unknown, op: Op): Promise<OpResult>;
