import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A container in the fake engine. */
export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  /** null: no health check. */
  health: string | null;
  startedAt: string;
  restarts: number;
  /** Restarts by the engine's restart policy (`RestartCount`); a restart asked for is not one. */
  restartCount: number;
}

/** What an action on one container (by name) does instead of succeeding. */
export type ActionFault = 'notFound' | 'forbidden' | 'error' | 'hang';

export interface FakeEngineFaults {
  /** Answer the listing with every container, whatever the label filter says. */
  ignoreFilters?: boolean;
  /** Per container name: what `POST /containers/{id}/restart|start|stop` answers. */
  actions?: Record<string, ActionFault>;
  /** 403 for every call but `/version`, like a proxy that allows nothing. */
  forbidAll?: boolean;
  /** 403 for these operations on every container, like a proxy without them in its allowlist. */
  forbidOps?: Array<'json' | 'start' | 'stop' | 'restart'>;
  /** The ApiVersion `/version` offers. */
  apiVersion?: string;
  /** State a container is in after a restart (e.g. `exited` for one that crashes). */
  afterRestart?: Record<string, { state?: string; health?: string | null }>;
  /** Called as a restart happens, e.g. to see what a container would find on disk. */
  onRestart?: (container: FakeContainer) => void;
}

export interface FakeEngine {
  socketPath: string;
  faults: FakeEngineFaults;
  containers: FakeContainer[];
  /** Every request, as `METHOD /path?query`. */
  calls: string[];
  add(container: Partial<FakeContainer> & { name: string }): FakeContainer;
  byName(name: string): FakeContainer;
  close(): Promise<void>;
}

/**
 * A node:http server on a unix socket answering the few Docker Engine API calls
 * Starbridge makes, in the shapes Docker and Podman use, with fault switches. Anything
 * else (create, exec, …) is 403, as from a socket proxy that allows only those calls.
 * The socket is in a temporary folder of its own unless `at` names where it goes.
 */
export async function startFakeEngine(
  faults: FakeEngineFaults = {},
  at?: { socketPath: string },
): Promise<FakeEngine> {
  const dir = at ? undefined : mkdtempSync(join(tmpdir(), 'sb-engine-'));
  const socketPath = at?.socketPath ?? join(dir as string, 'engine.sock');
  const engine: FakeEngine = {
    socketPath,
    faults,
    containers: [],
    calls: [],
    add(partial) {
      const container: FakeContainer = {
        id: randomBytes(32).toString('hex'),
        image: 'localhost/test:latest',
        state: 'running',
        labels: {},
        health: null,
        startedAt: new Date().toISOString(),
        restarts: 0,
        restartCount: 0,
        ...partial,
      };
      engine.containers.push(container);
      return container;
    },
    byName(name) {
      const found = engine.containers.find((c) => c.name === name);
      if (!found) throw new Error(`fake engine has no container ${name}`);
      return found;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = createServer((req, res) => {
    engine.calls.push(`${req.method} ${req.url}`);
    handle(engine, req, res);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return engine;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function handle(engine: FakeEngine, req: IncomingMessage, res: ServerResponse): void {
  const answer = route(engine, req);
  if (answer) send(res, answer[0], answer[1]);
}

/** The answer to one request as [status, body]; undefined for one that hangs. */
function route(engine: FakeEngine, req: IncomingMessage): [number, unknown?] | undefined {
  const url = new URL(req.url ?? '/', 'http://engine');
  if (req.method === 'GET' && /^(\/v[\d.]+)?\/version$/.test(url.pathname)) {
    const apiVersion = engine.faults.apiVersion ?? '1.41';
    return [200, { Version: 'fake', ApiVersion: apiVersion, MinAPIVersion: '1.24' }];
  }
  if (engine.faults.forbidAll) return [403, { message: 'forbidden by proxy' }];
  const match = /^\/v\d+\.\d+\/containers\/(?:json|([^/]+)\/(json|start|stop|restart))$/.exec(
    url.pathname,
  );
  if (!match) return [403, { message: `${req.method} ${url.pathname} not allowed` }];
  const [, ref, op] = match;
  if (op && engine.faults.forbidOps?.some((forbidden) => forbidden === op)) {
    return [403, { message: `${req.method} ${url.pathname} not allowed` }];
  }
  if (!ref) return [200, list(engine, url).map(listed)];
  const container = engine.containers.find((c) => c.id === ref || c.name === ref);
  if (req.method === 'GET' && op === 'json') {
    return container ? [200, inspected(container)] : [404, noSuch(ref)];
  }
  if (req.method !== 'POST' || !op || op === 'json') return [405];
  const fault = container ? engine.faults.actions?.[container.name] : undefined;
  if (fault === 'hang') return undefined;
  if (!container || fault === 'notFound') return [404, noSuch(ref)];
  if (fault === 'forbidden') return [403, { message: 'forbidden by proxy' }];
  if (fault === 'error') return [500, { message: 'runtime exploded' }];
  act(engine, container, op);
  return [204];
}

function act(engine: FakeEngine, container: FakeContainer, op: string): void {
  if (op === 'stop') container.state = 'exited';
  if (op === 'start' || op === 'restart') {
    container.state = 'running';
    container.startedAt = new Date().toISOString();
  }
  if (op === 'restart') {
    container.restarts += 1;
    engine.faults.onRestart?.(container);
    Object.assign(container, engine.faults.afterRestart?.[container.name] ?? {});
  }
}

function list(engine: FakeEngine, url: URL): FakeContainer[] {
  const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[] };
  if (engine.faults.ignoreFilters || !filters.label) return engine.containers;
  return engine.containers.filter((c) =>
    (filters.label ?? []).every((want) => {
      const [key, value] = want.split('=', 2) as [string, string | undefined];
      return key in c.labels && (value === undefined || c.labels[key] === value);
    }),
  );
}

const noSuch = (ref: string) => ({ message: `no container with name or ID "${ref}" found` });

function listed(c: FakeContainer) {
  return { Id: c.id, Names: [`/${c.name}`], Image: c.image, State: c.state, Labels: c.labels };
}

function inspected(c: FakeContainer) {
  return {
    Id: c.id,
    Name: `/${c.name}`,
    Config: { Image: c.image, Labels: c.labels },
    RestartCount: c.restartCount,
    State: {
      Status: c.state,
      StartedAt: c.startedAt,
      ...(c.health === null ? {} : { Health: { Status: c.health } }),
    },
  };
}
