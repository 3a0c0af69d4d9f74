import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HOOK_ID,
  sendWebhook,
  signWebhook,
  webhookExample,
  webhookExamples,
  webhookRequest,
  withRepository,
} from '../support/webhooks.js';

describe('signWebhook', () => {
  it("matches GitHub's documented test vector", () => {
    expect(signWebhook("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });
});

describe('webhookExample', () => {
  it('finds the real star/watch/push/ping/repository examples', () => {
    expect(webhookExample('watch', 'started').sender.login).toBe('Codertocat');
    expect(webhookExample('star', 'created').starred_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(webhookExample('star', 'deleted').starred_at).toBeNull();
    const push = webhookExample('push', undefined, (p) => p.ref.startsWith('refs/heads/'));
    expect(push.ref).toBe('refs/heads/master');
    expect(typeof push.repository.pushed_at).toBe('number');
    expect(webhookExample('ping').zen).toEqual(expect.any(String));
    const renamed = webhookExample('repository', 'renamed');
    expect(renamed.changes.repository.name.from).toEqual(expect.any(String));
    expect(webhookExamples('star')).toHaveLength(3);
  });

  it('returns deep copies', () => {
    const a = webhookExample('star', 'created');
    a.repository.name = 'mutated';
    expect(webhookExample('star', 'created').repository.name).toBe('Hello-World');
  });

  it('throws for examples the package does not have', () => {
    expect(() => webhookExample('repository', 'archived')).toThrow(/no "repository.archived"/);
  });
});

describe('withRepository', () => {
  const to = { id: 4242, owner: 'alice', name: 'widgets', defaultBranch: 'trunk', private: true };

  it('rewrites repository identity consistently and leaves sender alone', () => {
    const original = webhookExample('watch', 'started');
    const p = withRepository(original, to);
    expect(p.repository).toMatchObject({
      id: 4242,
      name: 'widgets',
      full_name: 'alice/widgets',
      private: true,
      default_branch: 'trunk',
      html_url: 'https://github.com/alice/widgets',
      clone_url: 'https://github.com/alice/widgets.git',
      ssh_url: 'git@github.com:alice/widgets.git',
      url: 'https://api.github.com/repos/alice/widgets',
    });
    expect(p.repository.owner.login).toBe('alice');
    expect(p.repository.owner.html_url).toBe('https://github.com/alice');
    expect(Buffer.from(p.repository.node_id, 'base64').toString()).toBe('010:Repository4242');
    expect(p.sender.login).toBe('Codertocat');
    expect(JSON.stringify(p.repository)).not.toContain('Codertocat');
    expect(JSON.stringify(p)).not.toContain('Hello-World');
    // Same keys as the real example: only values change.
    expect(Object.keys(p.repository).sort()).toEqual(Object.keys(original.repository).sort());
    expect(original.repository.full_name).toBe('Codertocat/Hello-World');
  });

  it('keeps push quirks (epoch timestamps, master_branch) and rewrites commit URLs', () => {
    const push = webhookExample('push', undefined, (x) => x.ref === 'refs/heads/master');
    const p = withRepository(push, { ...to, webUrl: 'http://127.0.0.1:9' });
    expect(typeof p.repository.created_at).toBe('number');
    expect(p.repository.master_branch).toBe('trunk');
    expect(p.repository.clone_url).toBe('http://127.0.0.1:9/alice/widgets.git');
    expect(p.compare.startsWith('http://127.0.0.1:9/alice/widgets/')).toBe(true);
    expect(p.head_commit?.url.startsWith('http://127.0.0.1:9/alice/widgets/commit/')).toBe(true);
  });
});

describe('webhookRequest', () => {
  it('builds a signed delivery with GitHub headers', () => {
    const payload = withRepository(webhookExample('star', 'created'), {
      id: 7,
      owner: 'o',
      name: 'r',
    });
    const r = webhookRequest({ event: 'star', payload, secret: 's3cret' });
    expect(r.body).toBe(JSON.stringify(payload));
    expect(r.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/test',
      'x-github-event': 'star',
      'x-github-hook-id': DEFAULT_HOOK_ID,
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': '7',
    });
    expect(r.headers['x-github-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    expect(r.headers['x-github-delivery']).toBe(r.deliveryId);
    const expected = createHmac('sha256', 's3cret').update(r.body).digest('hex');
    expect(r.headers['x-hub-signature-256']).toBe(`sha256=${expected}`);
  });

  it('signs an exact body and keeps a given delivery id (redelivery)', () => {
    const body = '{"zen":"Keep it logically awesome.",  "hook_id": 1}';
    const r = webhookRequest({ event: 'ping', body, secret: 'k', deliveryId: 'd-1', hookId: 9 });
    expect(r.body).toBe(body);
    expect(r.headers['x-github-delivery']).toBe('d-1');
    expect(r.headers['x-github-hook-id']).toBe('9');
    expect(r.headers['x-hub-signature-256']).toBe(signWebhook('k', body));
  });

  it('sendWebhook POSTs bytes a receiver can verify', async () => {
    const seen: { ok: boolean; event?: string }[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c.toString('utf8');
      });
      req.on('end', () => {
        const got = Buffer.from(String(req.headers['x-hub-signature-256']));
        const want = Buffer.from(signWebhook('topsecret', raw));
        seen.push({
          ok: got.length === want.length && timingSafeEqual(got, want),
          event: String(req.headers['x-github-event']),
        });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
      const res = await sendWebhook(url, {
        event: 'push',
        payload: webhookExample('push'),
        secret: 'topsecret',
      });
      expect(res.status).toBe(202);
      expect(seen).toEqual([{ ok: true, event: 'push' }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
