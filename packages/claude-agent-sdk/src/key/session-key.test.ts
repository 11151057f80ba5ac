import { describe, expect, it } from 'vitest';
import { idOfName, keyNames, pgSessionIdOf, projectName } from './session-key.js';

describe('keyNames', () => {
  it('encodes each part; a subpath keeps its "/" as ~2f', () => {
    const names = keyNames({
      projectKey: '-home-Me',
      sessionId: 'S1',
      subpath: 'subagents/agent-1',
    });
    expect(names).toEqual({ project: '-home-_me', session: '_s1', subpath: 'subagents~2fagent-1' });
    expect(pgSessionIdOf(names)).toBe('-home-_me/_s1/subagents~2fagent-1');
    expect(idOfName(names.subpath as string)).toBe('subagents/agent-1');
  });

  it('names a project key too long to encode by its hash, distinct per key', () => {
    const long = `-${'Dir'.repeat(66)}`; // 199 characters, 265 once encoded
    const other = `-${'Dir'.repeat(65)}Dix`;
    expect(projectName(long)).toMatch(/^__[0-9a-f]{64}$/);
    expect(projectName(long)).not.toBe(projectName(other));
    expect(projectName('')).toMatch(/^__[0-9a-f]{64}$/);
    expect(projectName('x'.repeat(200))).toBe('x'.repeat(200));
  });

  it.each([
    [{ projectKey: 'p', sessionId: '' }, 'sessionId'],
    [{ projectKey: 'p', sessionId: 'x'.repeat(201) }, 'sessionId'],
    [{ projectKey: 'p', sessionId: 's', subpath: '' }, 'subpath'],
    [{ projectKey: 'p', sessionId: 's', subpath: '\ud800' }, 'subpath'],
    [{ projectKey: '\udc00', sessionId: 's' }, 'projectKey'],
    [{ projectKey: 1, sessionId: 's' }, 'projectKey'],
  ])('refuses %j (%s) with INVALID_SESSION_KEY', (key, field) => {
    expect(() => keyNames(key as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_SESSION_KEY', field }),
    );
  });
});
