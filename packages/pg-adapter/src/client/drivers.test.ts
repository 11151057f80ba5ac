import { hasCode } from '@contextlog/core';
import { describe, expect, it } from 'vitest';
import { DriverMissingError } from '../errors.js';
import { loadPg, loadPglite, type PgDriver, type PgliteDriver } from './drivers.js';

/** What Node throws when an `import()` finds no package of that name. */
function notFound(name: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${name}' imported from /app/node_modules/x/dist/y.js`),
    { code: 'ERR_MODULE_NOT_FOUND' },
  );
}

describe('the drivers, loaded on demand', () => {
  it('loads pg and PGlite when they are installed', async () => {
    expect(typeof (await loadPg()).Pool).toBe('function');
    expect(typeof (await loadPglite()).PGlite.create).toBe('function');
  });

  it('names the package to install, in one line, when pg is absent', async () => {
    const error = await loadPg(() => Promise.reject(notFound('pg'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverMissingError);
    expect(hasCode(error, 'PG_DRIVER_MISSING')).toBe(true);
    expect((error as DriverMissingError).driver).toBe('pg');
    expect((error as Error).message).toMatch(/npm install pg\b/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names PGlite when PGlite is absent', async () => {
    const error = await loadPglite(() => Promise.reject(notFound('@electric-sql/pglite'))).catch(
      (e: unknown) => e,
    );
    expect(hasCode(error, 'PG_DRIVER_MISSING')).toBe(true);
    expect((error as Error).message).toMatch(/npm install @electric-sql\/pglite\b/);
  });

  it('passes on any other failure as it is (a package pg needs, a broken install)', async () => {
    const inner = notFound('pg-protocol');
    await expect(loadPg(() => Promise.reject(inner))).rejects.toBe(inner);
    const broken = new SyntaxError('Unexpected token');
    await expect(loadPg(() => Promise.reject(broken))).rejects.toBe(broken);
    const fake = {} as PgDriver & PgliteDriver;
    await expect(loadPglite(() => Promise.resolve(fake))).resolves.toBe(fake);
  });
});
