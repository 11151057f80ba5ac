import { describe, expect, it } from 'vitest';
import { isPgUrl, parsePgUrl, redactPgUrl, sessionIdOfPath } from './location.js';

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

  it('an invalid URL is reported without its password', () => {
    for (const [url, shown] of [
      ['postgres://u:secret@[bad', 'postgres://u:***@[bad'],
      ['postgres://u:secret@host:99999/db', 'postgres://u:***@host:99999/db'],
      // A password with an unencoded @ is hidden whole.
      ['postgresql://u:se@cret@[x/db', 'postgresql://u:***@[x/db'],
    ] as const) {
      let message = '';
      try {
        parsePgUrl(url);
      } catch (error) {
        message = (error as Error).message;
        expect((error as Error).cause).toBeUndefined();
      }
      expect(message).toBe(`${shown}: not a valid URL`);
      expect(message).not.toMatch(/secret|se@|cret/);
    }
  });

  it('hides a password given as a query parameter, whatever its case or encoding', () => {
    const parsed = parsePgUrl(
      'postgres://me@db/agents?PassWord=s3cret&sslpassword=k3y&pass%77ord=enc0ded&sslmode=require&session=x',
    );
    expect(parsed.connectionString).toContain('PassWord=s3cret');
    expect(parsed.display).toBe(
      'postgres://me@db/agents?PassWord=***&sslpassword=***&password=***&sslmode=require&session=x',
    );
    for (const [url, shown] of [
      ['postgres://h/db?password=s3cret', 'postgres://h/db?password=***'],
      ['postgres://h/db?a=1&password=s3cret#frag', 'postgres://h/db?a=1&password=***'],
      ['postgres://u:s3cret@h/db?password=s3cret', 'postgres://u:***@h/db?password=***'],
      ['postgres://u@[bad?password=s3cret', 'postgres://u@[bad?password=***'],
      [
        'postgres://[bad?x=1&Password=s3cret&session=a@b',
        'postgres://[bad?x=1&Password=***&session=a@b',
      ],
    ] as const) {
      expect(redactPgUrl(url)).toBe(shown);
    }
    let message = '';
    try {
      parsePgUrl('postgres://u@[bad/db?password=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('postgres://u@[bad/db?password=***: not a valid URL');
  });

  it('redacts only the password', () => {
    expect(redactPgUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactPgUrl('postgres://h/db?session=a@b')).toBe('postgres://h/db?session=a@b');
    expect(redactPgUrl('postgres://u:p@h/db')).toBe('postgres://u:***@h/db');
    expect(redactPgUrl('not a url')).toBe('not a url');
  });

  it('names a session after its file', () => {
    expect(sessionIdOfPath('/a/b/chat-7.jsonl')).toBe('chat-7');
    expect(sessionIdOfPath('plain')).toBe('plain');
  });
});
