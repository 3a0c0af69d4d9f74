import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { Redactor } from '../../../src/shared/redact.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger redaction', () => {
  it('censors secret fields, authorization headers and known secret values anywhere', () => {
    const { lines, destination } = capture();
    const log = createLogger({
      level: 'info',
      destination: destination as never,
      redactor: new Redactor(['s3cr3t-token-value']),
    });
    log.child({ component: 'test' }).info(
      {
        token: 'abc',
        req: { headers: { authorization: 'Bearer xyz' } },
        note: 'got s3cr3t-token-value back',
      },
      'request',
    );
    log.error(
      { err: new Error('push to https://user:s3cr3t-token-value@host/x.git failed') },
      'failed',
    );
    const text = lines.join('');
    expect(text).not.toContain('s3cr3t-token-value');
    expect(text).not.toContain('xyz');
    expect(text).not.toMatch(/"token":"abc"/);
    expect(text).toContain('"component":"test"');
    expect(text).toContain('[REDACTED]');
  });
});

describe('Redactor', () => {
  it('strips credentials from URLs and authorization headers whatever their value', () => {
    const redactor = new Redactor([]);
    expect(redactor.redact('fatal: https://x-access-token:ghs_123@github.com/a/b.git')).toBe(
      'fatal: https://[REDACTED]@github.com/a/b.git',
    );
    expect(redactor.redact('http.extraHeader=Authorization: Bearer abc.def')).toBe(
      'http.extraHeader=Authorization: Bearer [REDACTED]',
    );
  });
});
