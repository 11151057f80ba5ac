import { describe, expect, it } from 'vitest';
import { isPgUrl, parsePgUrl, sessionIdOfPath } from './location.js';

describe('session locations', () => {
  it('tells URLs from paths', () => {
    expect(isPgUrl('postgres://h/db')).toBe(true);
    expect(isPgUrl('POSTGRESQL://h/db')).toBe(true);
    expect(isPgUrl('./postgres.jsonl')).toBe(false);
    expect(isPgUrl('/tmp/postgres://x')).toBe(false);
  });

  it('takes session and table out of the URL and hides the password', () => {
    const parsed = parsePgUrl(
      'postgres://me:secret@db:5433/agents?sslmode=disable&session=a%2Fb%20c&table=s.events',
    );
    expect(parsed.sessionId).toBe('a/b c');
    expect(parsed.table).toBe('s.events');
    expect(parsed.connectionString).toBe('postgres://me:secret@db:5433/agents?sslmode=disable');
    expect(parsed.display).not.toContain('secret');
    expect(parsed.display).toContain('me:***@db:5433/agents');
    expect(parsePgUrl('postgres://db/x').sessionId).toBeUndefined();
    expect(() => parsePgUrl('postgres://[bad')).toThrow(/not a valid URL/);
  });

  it('names a session after its file', () => {
    expect(sessionIdOfPath('/a/b/chat-7.jsonl')).toBe('chat-7');
    expect(sessionIdOfPath('plain')).toBe('plain');
  });
});
