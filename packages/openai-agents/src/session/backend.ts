import type { ContextEngine } from '@contextlog/core';
import type { AgentItem } from '../dialect/agent-item.js';

/** One session's engine, as a file or a PostgreSQL table holds it. */
export interface SessionBackend {
  readonly engine: ContextEngine<AgentItem>;
  /**
   * Brings the engine up to the session as stored now: a no-op for a file (its lock makes the
   * engine the only writer); with PostgreSQL, a reload when another process wrote.
   */
  refresh(): Promise<void>;
}
