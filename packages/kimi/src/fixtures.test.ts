import { CorruptSessionError, type StoredEvent } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { describe, expect, it } from 'vitest';
import {
  jsonOf,
  loadFixtures,
  readSession,
  replayKimiBytes,
} from './fixture-harness.test-helper.js';

const fixtures = loadFixtures();

describe('kimi fixtures: decodeKimiLine + core replay give the hand-written state', () => {
  it('has the fixtures the issue asks for', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
  });

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const result = replayKimiBytes(fixture.bytes);

      it('replays to the expected state', () => {
        expect(jsonOf(result.state)).toEqual(fixture.expected.state);
      });

      it('reports the expected diagnostics', () => {
        expect(result.diagnostics.map(({ line, severity }) => ({ line, severity }))).toEqual(
          fixture.expected.diagnostics,
        );
      });

      it('stops strict mode where expected', () => {
        const { strict } = fixture.expected;
        expect(result.strictStop).toBe(strict.throws ? strict.line : undefined);
      });

      const reverts = Object.entries(fixture.expected.revertTo ?? {});
      if (reverts.length > 0) {
        it('reverts as kimi-cli revert_to does', () => {
          for (const [id, expected] of reverts) {
            const event: StoredEvent = {
              seq: result.state.seq + 1,
              v: 1,
              at: '',
              type: 'context.reverted',
              data: { checkpointId: Number(id) },
            };
            const reverted = jsonOf(foldEvents([event], result.state));
            expect(reverted).toMatchObject(expected);
          }
        });
      }
    });
  }
});

describe('kimi fixtures through readSessionFile (format detected)', () => {
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      it('lenient mode gives the expected state and diagnostics', async () => {
        const result = await readSession(fixture.path, { mode: 'lenient' });
        expect(result.format).toBe(fixture.bytes.length === 0 ? 'contextlog' : 'kimi');
        expect(jsonOf(result.state)).toEqual(fixture.expected.state);
        expect(result.diagnostics.map(({ line, severity }) => ({ line, severity }))).toEqual(
          fixture.expected.diagnostics,
        );
      });

      it('strict mode throws where expected', async () => {
        const { strict } = fixture.expected;
        const read = readSession(fixture.path);
        if (!strict.throws) {
          expect(jsonOf((await read).state)).toEqual(fixture.expected.state);
          return;
        }
        const error: unknown = await read.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(CorruptSessionError);
        expect(error).toMatchObject({ line: strict.line, source: fixture.path });
      });
    });
  }
});
