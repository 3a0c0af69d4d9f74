import { afterEach, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from '../../support/pipeline.js';
import { DIALECTS } from '../../support/test-db.js';
import { webhookExample, withRepository } from '../../support/webhooks.js';

const KEYS_SECRET = 'keys-admin-test-secret-0123456789abcdefgh';

/** The admin API's key operations: answers, refusals, and never a private key. */
describe.each(DIALECTS)('admin API: SSH deploy keys on %s', (dialect) => {
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
  });

  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field below
  type Body = any;
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Body });
  const start = async (env?: Record<string, string>) => {
    pipeline = await startPipeline({ dialect, env });
    return pipeline;
  };

  it('refuses to store a key without KEYS_SECRET, saying what to set', async () => {
    const p = await start();
    const created = await json(await p.admin('POST', '/api/v1/keys', { name: 'deploy' }));
    expect(created.status).toBe(503);
    expect(created.body.error.code).toBe('NotConfigured');
    expect(created.body.error.message).toContain('set KEYS_SECRET_FILE');
    expect((await json(await p.admin('GET', '/api/v1/keys'))).body).toEqual({ keys: [] });
  });

  it('creates, lists and deletes keys; refuses bad names, duplicates and unknown keys', async () => {
    const p = await start({ KEYS_SECRET });
    const created = await json(await p.admin('POST', '/api/v1/keys', { name: 'deploy-1' }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'deploy-1',
      publicKey: expect.stringMatching(/^ssh-ed25519 AAAA\S+ starbridge-deploy-1$/),
      fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
      createdAt: expect.any(String),
      mirrors: [],
    });

    const duplicate = await json(await p.admin('POST', '/api/v1/keys', { name: 'deploy-1' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toBe('a key named deploy-1 already exists');
    for (const name of ['', '-x', 'a b', 'x'.repeat(64), '../etc']) {
      const bad = await json(await p.admin('POST', '/api/v1/keys', { name }));
      expect(bad.status, name).toBe(400);
      expect(bad.body.error.message).toMatch(/^invalid request body: name: /);
    }
    const extra = await p.admin('POST', '/api/v1/keys', { name: 'k', privateKey: 'mine' });
    expect(extra.status).toBe(400);

    const listed = await json(await p.admin('GET', '/api/v1/keys'));
    expect(listed.body.keys).toEqual([created.body]);
    expect(JSON.stringify(listed.body)).not.toMatch(/PRIVATE|privateKey/);

    const unknown = await json(await p.admin('DELETE', '/api/v1/keys/nope'));
    expect(unknown.status).toBe(404);
    expect((await json(await p.admin('DELETE', '/api/v1/keys/deploy-1'))).body).toEqual({
      deleted: 'deploy-1',
    });
    expect((await json(await p.admin('GET', '/api/v1/keys'))).body).toEqual({ keys: [] });
  });

  it("sets and clears a mirror's key; unknown mirrors and keys are 404", async () => {
    const p = await start({ KEYS_SECRET });
    const record = p.github.addRepo({ owner: 'octocat', name: 'hello' });
    const synced = p.nextSync(record.id);
    const payload = withRepository(webhookExample('watch', 'started'), {
      id: record.id,
      owner: 'octocat',
      name: 'hello',
    });
    await p.deliver('watch', payload);
    await synced;
    await p.admin('POST', '/api/v1/keys', { name: 'hello-key' });

    const path = '/api/v1/mirrors/octocat/hello/ssh-key';
    expect((await json(await p.admin('GET', path))).body).toEqual({
      repository: 'octocat/hello',
      key: null,
    });
    const missingKey = await json(await p.admin('POST', path, { key: 'nope' }));
    expect(missingKey.status).toBe(404);
    expect(missingKey.body.error.message).toBe('no SSH key named nope; generate it first');
    const missingMirror = await p.admin('POST', '/api/v1/mirrors/octocat/gone/ssh-key', {
      key: 'hello-key',
    });
    expect(missingMirror.status).toBe(404);

    expect((await json(await p.admin('POST', path, { key: 'hello-key' }))).body).toEqual({
      repository: 'octocat/hello',
      key: 'hello-key',
    });
    expect((await json(await p.admin('GET', path))).body.key).toBe('hello-key');
    const keys = (await json(await p.admin('GET', '/api/v1/keys'))).body.keys;
    expect(keys[0].mirrors).toEqual(['octocat/hello']);

    // Deleting the mirror drops its key setting; the key can then go.
    expect((await p.admin('POST', path, { key: null })).status).toBe(200);
    expect((await json(await p.admin('GET', path))).body.key).toBeNull();
    expect((await p.admin('POST', path, { key: 'hello-key' })).status).toBe(200);
    expect((await p.admin('DELETE', '/api/v1/mirrors/octocat/hello')).status).toBe(200);
    expect((await p.admin('DELETE', '/api/v1/keys/hello-key')).status).toBe(200);
  });
});
