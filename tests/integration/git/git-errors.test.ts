import { describe, expect, it } from 'vitest';
import { gitFailure } from '../../../src/git/git-errors.js';
import type { GitRunResult } from '../../../src/git/git-process.js';
import { redactorFor } from '../../../src/git/git-remote.js';
import { Redactor } from '../../../src/shared/redact.js';

const TOKEN = 'ghp_ClassifyTokenNeverShown123456';
const ctx = {
  op: 'fetch',
  url: 'https://github.com/octocat/hello.git',
  host: 'github.com',
  timeoutMs: 600_000,
  lowSpeedLimitBytes: 1000,
  lowSpeedTimeSeconds: 60,
};

function classify(stderr: string, extra: Partial<GitRunResult> = {}, op = 'fetch') {
  const result: GitRunResult = {
    exitCode: 128,
    signal: null,
    stdout: '',
    stderr,
    timedOut: false,
    aborted: false,
    ...extra,
  };
  const redactor = redactorFor({ url: ctx.url, authorization: `Bearer ${TOKEN}` }, undefined);
  return gitFailure(result, { ...ctx, op }, redactor);
}

describe('git failure classification', () => {
  it.each([
    ['fatal: unable to access: The requested URL returned error: 503', 'network', true],
    ["fatal: unable to access 'x': Could not resolve host: github.com", 'network', true],
    [
      'fatal: unable to access: Failed to connect to github.com port 443: Connection refused',
      'network',
      true,
    ],
    ['error: RPC failed; curl 56 Recv failure: Connection reset by peer', 'network', true],
    [
      'fetch-pack: unexpected disconnect while reading sideband packet\nfatal: early EOF',
      'network',
      true,
    ],
    [
      'error: RPC failed; curl 18 transfer closed with outstanding read data remaining',
      'network',
      true,
    ],
    ['error: RPC failed; curl 28 Operation timed out after 300000 milliseconds', 'timeout', true],
    [
      'error: RPC failed; curl 28 Operation too slow. Less than 1000 bytes/sec transferred the last 60 seconds',
      'timeout',
      true,
    ],
    ["remote: Invalid username or password.\nfatal: Authentication failed for 'x'", 'auth', false],
    [
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      'auth',
      false,
    ],
    ['fatal: unable to access: The requested URL returned error: 403', 'auth', false],
    ['error: RPC failed; HTTP 401 curl 22 The requested URL returned error: 401', 'auth', false],
    ["remote: Repository not found.\nfatal: repository 'x' not found", 'not_found', false],
    ['fatal: unable to access: The requested URL returned error: 404', 'not_found', false],
    ['error: RPC failed; curl 56 OpenSSL SSL_read: SSL_ERROR_SYSCALL, errno 104', 'network', true],
    ['fatal: unable to access: SSL certificate problem: self-signed certificate', 'tls', false],
    ['fatal: unable to access: server certificate verification failed. CAfile: none', 'tls', false],
    [
      'error: RPC failed; HTTP 413 curl 22 The requested URL returned error: 413',
      'too_large',
      false,
    ],
    [
      'remote: error: GH006: Protected branch update failed for refs/heads/main.',
      'rejected',
      false,
    ],
    [' ! [remote rejected] main -> main (pre-receive hook declined)', 'rejected', false],
    ['fatal: write error: No space left on device\nfatal: index-pack failed', 'disk_full', false],
    [
      'error: object 1234abcd: badTimezone: invalid author/committer line - bad time zone\nfatal: fsck error in packed object\nfatal: index-pack failed',
      'corrupt',
      false,
    ],
    ['fatal: something nobody has seen before', 'unknown', false],
  ])('%s → %s', (stderr, kind, retryable) => {
    const error = classify(stderr);
    expect(error.kind).toBe(kind);
    expect(error.reason).toBe(`git_${kind}`);
    expect(error.retryable).toBe(retryable);
    expect(error.stderrTail).not.toBe('');
  });

  it('timeouts, aborts and foreign signals are judged from the run, not the text', () => {
    expect(classify('', { timedOut: true, exitCode: null, signal: 'SIGTERM' }).kind).toBe(
      'timeout',
    );
    expect(classify('', { aborted: true, exitCode: null, signal: 'SIGTERM' }).kind).toBe('aborted');
    const killed = classify('', { exitCode: null, signal: 'SIGKILL' });
    expect(killed.kind).toBe('unknown');
    expect(killed.retryable).toBe(true);
  });

  it('names the fsck check and the escape hatch', () => {
    const error = classify(
      'error: object 1234abcd: missingSpaceBeforeDate: invalid author/committer line\nfatal: fsck error in packed object',
    );
    expect(error.message).toContain('fsck check missingSpaceBeforeDate');
    expect(error.message).toContain('fetch.fsck.missingSpaceBeforeDate=ignore');
  });

  it('says which HTTP status the auth failure was', () => {
    expect(classify('The requested URL returned error: 403').message).toContain(
      'authentication to github.com failed (HTTP 403',
    );
  });

  it('never lets a credential through, however git echoes it', () => {
    const configured = 'onedev_ConfiguredSecret987654';
    const stderr = [
      `fatal: unable to look up x-access-token:${TOKEN}@github.com (port 9418)`,
      `fatal: unable to access 'https://user:${configured}@github.com/o/r.git/': Could not resolve host`,
      `> Authorization: Bearer ${TOKEN}`,
      `header: Authorization: token ${configured}`,
      `raw ${TOKEN} and ${configured}`,
    ].join('\n');
    const result: GitRunResult = {
      exitCode: 128,
      signal: null,
      stdout: '',
      stderr,
      timedOut: false,
      aborted: false,
    };
    const error = gitFailure(
      result,
      ctx,
      redactorFor({ url: ctx.url, authorization: `Bearer ${TOKEN}` }, new Redactor([configured])),
    );
    for (const text of [
      error.message,
      error.stack ?? '',
      error.stderrTail,
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(configured);
    }
    expect(error.stderrTail).toContain('[REDACTED]');
  });

  it('redacts the password of a basic credential in every form', () => {
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    const redactor = redactorFor({ url: ctx.url, authorization: `Basic ${basic}` }, undefined);
    const text = redactor.redact(`${basic} ${TOKEN} x-access-token:${TOKEN}`);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(basic);
  });
});
