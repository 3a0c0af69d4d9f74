import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeEngine, startFakeEngine } from '../../support/container-engine/index.js';
import { type Kit, moved, restarts, startKit } from './containers-kit.js';

/**
 * The calls docs/containers.md promises are the only ones Starbridge makes (what a socket
 * proxy must allow), read from its table and turned into patterns: `vX.Y` is any
 * negotiated version, `{id}` a full container id, `t=10` any stop grace.
 */
function documentedCalls(): Array<{ doc: string; pattern: RegExp }> {
  const text = readFileSync(new URL('../../../docs/containers.md', import.meta.url), 'utf8');
  const table = text.slice(text.indexOf('Starbridge makes only these calls'));
  const rows = table.slice(0, table.indexOf('\n\n', table.indexOf('| Call'))).split('\n');
  const docs = rows
    .filter((row) => row.startsWith('| `'))
    .flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`((?:GET|POST) [^`]+)`/g)])
    .map((m) => m[1] as string);
  return docs.map((doc) => {
    const escaped = doc.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    const source = escaped
      .replace('vX\\.Y', 'v\\d+\\.\\d+')
      .replace('{id}', '[0-9a-f]{64}')
      .replace('t=10', 't=\\d+');
    return { doc, pattern: new RegExp(`^${source}$`) };
  });
}

describe('the container engine calls Starbridge makes', () => {
  let engine: FakeEngine | undefined;
  let kit: Kit | undefined;
  afterEach(async () => {
    await kit?.close();
    await engine?.close();
    kit = engine = undefined;
  });

  async function start(faults: Parameters<typeof startFakeEngine>[0] = {}) {
    engine = await startFakeEngine(faults);
    kit = await startKit({ dialect: 'sqlite', env: { CONTAINER_SOCKET: engine.socketPath } });
    return { engine, kit };
  }

  it('are all in the documented list, whatever it is asked to do (C10)', async () => {
    const documented = documentedCalls();
    expect(documented.map((d) => d.doc)).toHaveLength(6);
    // An engine that ignores the label filter shows Starbridge an unlabelled container too.
    const { engine, kit } = await start({ ignoreFilters: true });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    const plain = engine.add({ name: 'plain', labels: {} });
    const service = kit.feature.service;

    expect((await service.status()).available).toBe(true);
    expect((await service.list()).map((c) => c.name)).toEqual(['web']);
    await service.stop('web');
    await service.start('web');
    await service.restart('web');
    await expect(service.restart('plain')).rejects.toThrow(/no container "plain"/);
    await expect(service.stop(plain.id)).rejects.toThrow(/carries the restart-after label/);
    expect(await service.restartRepository('acme/web')).toEqual([
      { container: 'web', result: 'restarted' },
    ]);
    const run = await kit.sync('acme/web', [moved('refs/heads/main')]);
    await kit.feature.flush();
    expect(restarts(await kit.ledger(run))).toEqual(['web:restarted']);
    expect(web.restarts).toBe(3);

    const calls = engine.calls.map((call) => decodeURIComponent(call));
    const unlisted = calls.filter((call) => !documented.some((d) => d.pattern.test(call)));
    expect(unlisted).toEqual([]);
    // Every documented call was made: the list is not wider than what Starbridge does.
    const used = documented.filter((d) => calls.some((call) => d.pattern.test(call)));
    expect(used.map((d) => d.doc)).toEqual(documented.map((d) => d.doc));
    // Nothing at all was sent about the unlabelled container, not even an inspect.
    expect(calls.filter((call) => call.includes(plain.id))).toEqual([]);
    expect(
      calls.filter((call) => / \/v[\d.]+\/containers\/(create|[^/]+\/exec)/.test(call)),
    ).toEqual([]);
  });

  it('a proxy that allows only listing, inspecting and restarting: restarts work, start and stop say what to allow (C02)', async () => {
    const { engine, kit } = await start({ forbidOps: ['start', 'stop'] });
    const web = engine.add({ name: 'web', labels: { 'restart-after': 'acme/web' } });
    const service = kit.feature.service;

    const run = await kit.sync('acme/web', [moved('refs/heads/main')]);
    await kit.feature.flush();
    expect(restarts(await kit.ledger(run))).toEqual(['web:restarted']);
    await service.restart('web');
    expect(web.restarts).toBe(2);

    const refused = await service.stop('web').catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 502, code: 'Forbidden' });
    expect((refused as Error).message).toBe(
      `container API forbade POST /containers/${web.id}/stop (POST /v1.41/containers/${web.id}/stop not allowed) — check the socket proxy: allow POST /containers/{id}/stop for this; restarts after syncs need GET /containers/json, GET /containers/{id}/json and POST /containers/{id}/restart (Tecnativa docker-socket-proxy needs CONTAINERS=1 and POST=1; ALLOW_RESTARTS alone does not do it)`,
    );
    await expect(service.start('web')).rejects.toThrow(
      /forbade POST \/containers\/[0-9a-f]{64}\/start .* allow POST \/containers\/\{id\}\/start for this/,
    );
    expect(web.state).toBe('running');
    // The refusals are in the action record, with the advice.
    const actions = (await service.actions?.({ limit: 10 })) ?? [];
    expect(actions.filter((a) => a.kind !== 'restart').map((a) => [a.kind, a.result])).toEqual([
      ['start', 'failed'],
      ['stop', 'failed'],
    ]);
    expect(actions[0]?.message).toMatch(/check the socket proxy/);
  });
});
