import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOneDevClient } from '../../../src/onedev/onedev.client.js';
import { UpstreamError } from '../../../src/shared/upstream-error.js';
import { decideFailure } from '../../../src/sync/retry-policy.js';
import { type OneDevDouble, startOneDevDouble } from '../../support/onedev-double/index.js';
import { STANDARD_CAST, TOKENS } from '../../support/onedev-double/test-kit.js';

/**
 * How the OneDev client answers OneDev's and proxies' odd answers
 * (docs/reference/bad-inputs.md#o04, #o05, #o06, #o10, #o16, #o17), and what the retry policy makes
 * of each failure.
 */

const NOW = new Date('2026-01-01T00:00:00Z');
const SHORT_BACKOFF = { baseMs: 1_000, capMs: 1_000 };

let onedev: OneDevDouble;
beforeEach(async () => {
  onedev = await startOneDevDouble(STANDARD_CAST);
});
afterEach(async () => {
  await onedev.close();
});

const client = () => createOneDevClient({ baseUrl: onedev.url, token: TOKENS.admin });

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

/** When the sync engine would try again after this failure on a first attempt, or null. */
function nextAttemptDelayMs(error: unknown): number | null {
  const decision = decideFailure(error, 1, 5, NOW, SHORT_BACKOFF, () => 0);
  if (decision.status === 'failed') return null;
  return Date.parse(decision.nextAttemptAt as string) - NOW.getTime();
}

describe('conflicts on create (O04)', () => {
  it('resolves a 409 answered after the project was created, as the duplicate 500', async () => {
    onedev.faults.createSucceedsThen409({ times: 1 });
    const result = await client().ensureProject('conflicted', { description: 'm' });
    expect(result.id).toBe(onedev.projectByPath('conflicted')?.id);
    expect(onedev.createdNames).toEqual(['conflicted']);
    const creates = onedev.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => r.status)).toEqual([409]);
  });

  it('fails clearly, without retrying, when a 409 comes back and nothing was created', async () => {
    onedev.faults.status(409, 'Conflict', {
      match: ({ method, path }) => method === 'POST' && path === '/~api/projects',
    });
    const error = await failure(client().ensureProject('nowhere', { description: 'm' }));
    expect(error).toMatchObject({ reason: 'onedev_rejected', retryable: false });
    expect(error.message).toBe('OneDev rejected creating project nowhere (HTTP 409: Conflict)');
    expect(onedev.projectByPath('nowhere')).toBeUndefined();
    expect(nextAttemptDelayMs(error)).toBeNull();
  });
});

describe('server errors and rate limits', () => {
  it('treats a plain 500 outside create as a soft failure that is retried (O05)', async () => {
    const text = 'Http response code 500: internal server error: check server log for details';
    onedev.faults.status(500, text, { times: 1 });
    const error = await failure(client().findProject('github/octocat/hello'));
    expect(error).toMatchObject({ reason: 'onedev_unavailable', retryable: true });
    expect(error.message).toBe(
      `OneDev failed while looking up project github/octocat/hello (HTTP 500: ${text}); will retry`,
    );
    expect(nextAttemptDelayMs(error)).toBe(500);
    // Nothing was created behind the failure: the next call goes through.
    expect(await client().findProject('github/octocat/hello')).toBeUndefined();
  });

  it('honours the Retry-After of a 503 while OneDev starts or upgrades (O06)', async () => {
    onedev.faults.serviceUnavailable({ times: 1, retryAfter: '120' });
    const error = await failure(client().version());
    expect(error).toMatchObject({ reason: 'onedev_unavailable', retryable: true });
    expect(error.retryAfterMs).toBe(120_000);
    expect(nextAttemptDelayMs(error)).toBe(120_000);
  });

  it('backs off after a 429, honouring Retry-After in seconds and as a date (O16)', async () => {
    onedev.faults.status(429, 'Too Many Requests', { times: 1, retryAfter: '90' });
    const seconds = await failure(client().findProject('x'));
    expect(seconds).toMatchObject({ reason: 'onedev_unavailable', retryable: true });
    expect(seconds.message).toMatch(/HTTP 429: Too Many Requests\); will retry/);
    expect(nextAttemptDelayMs(seconds)).toBe(90_000);

    const at = new Date(Date.now() + 3_600_000).toUTCString();
    onedev.faults.status(429, 'Too Many Requests', { times: 1, retryAfter: at });
    const date = await failure(client().findProject('x'));
    expect(date.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(date.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });
});

describe('redirects (O17)', () => {
  it('does not follow a redirect to a login page, and says the URL is misconfigured', async () => {
    onedev.faults.redirect('/~login', { match: ({ path }) => path.startsWith('/~api/') });
    const error = await failure(client().ensureProject('a/b', { description: 'm' }));
    expect(error).toMatchObject({ reason: 'onedev_redirect', retryable: false });
    expect(error.message).toMatch(/OneDev redirected looking up project a\/b \(HTTP 302\)/);
    expect(error.message).toMatch(/ONEDEV_URL is probably misconfigured/);
    expect(onedev.requests.some((r) => r.path === '/~login')).toBe(false);
    expect(nextAttemptDelayMs(error)).toBeNull();
  });

  it('never carries the token to another origin a redirect points at', async () => {
    const elsewhere: Array<string | undefined> = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.headers.authorization);
      res.end('0');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = other.address() as AddressInfo;
      for (const status of [301, 302, 307, 308]) {
        onedev.faults.redirect(`http://127.0.0.1:${port}/~api/version/server`, {
          status,
          times: 1,
        });
        const error = await failure(client().version());
        expect(error.reason).toBe('onedev_redirect');
        expect(error.message).toContain(`(HTTP ${status})`);
      }
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl. */
async function selfSignedCertificate(): Promise<{ key: Buffer; cert: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'onedev-tls-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    return {
      key: await readFile(join(dir, 'key.pem')),
      cert: await readFile(join(dir, 'cert.pem')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('TLS (O10)', () => {
  it('fails hard with a clear message on a self-signed certificate, and never sends the token', async () => {
    const seen: Array<string | undefined> = [];
    const server = createHttpsServer(await selfSignedCertificate(), (req, res) => {
      seen.push(req.headers.authorization);
      res.end('16.5.6');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const api = createOneDevClient({ baseUrl: `https://127.0.0.1:${port}`, token: TOKENS.admin });
      const error = await failure(api.ensureProject('a/b', { description: 'm' }));
      expect(error).toMatchObject({ reason: 'onedev_tls', retryable: false });
      expect(error.message).toBe(
        "OneDev's TLS certificate was not accepted (DEPTH_ZERO_SELF_SIGNED_CERT) while looking up project a/b; install the CA (NODE_EXTRA_CA_CERTS) or fix the certificate",
      );
      expect(nextAttemptDelayMs(error)).toBeNull();
      expect(seen).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
