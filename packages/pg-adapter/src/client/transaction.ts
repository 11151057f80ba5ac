import type { PgClient, PgConnection } from './types.js';

/**
 * Runs `work` in a transaction on a connection of its own: COMMIT after it, ROLLBACK if it
 * throws. A connection whose ROLLBACK failed is closed, not given back. A connection lost during
 * the COMMIT rejects with `ConnectionLostError`: whether the work committed is then unknown.
 */
export async function inTransaction<T>(
  client: PgClient,
  work: (connection: PgConnection) => Promise<T>,
): Promise<T> {
  const connection = await client.connect();
  let broken = false;
  try {
    await connection.query('BEGIN');
    try {
      const result = await work(connection);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    connection.release(broken);
  }
}
