import { Agent, request } from 'undici';
import type {
  ContainerAction,
  ContainerEngine,
  EngineContainer,
  EngineContainerDetails,
} from './engine.port.js';
import { ContainerEngineError, connectionError, statusError } from './engine-errors.js';

/** Every call we make exists since API 1.24; newer engines are spoken to at their own level up to this. */
const MIN_API = [1, 24] as const;
const MAX_API = [1, 45] as const;

export interface DockerEngineOptions {
  socketPath: string;
  /** For calls other than restart/stop, which also wait out the engine's stop grace. */
  requestTimeoutMs?: number;
}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/**
 * The Docker Engine API over a unix socket, as Docker and `podman system service` serve
 * it. The API version is negotiated from `GET /version` (not pinned), so the same client
 * talks to old Podman (1.41) and new Docker alike.
 */
export function createDockerEngine(options: DockerEngineOptions): ContainerEngine {
  const socket = options.socketPath;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const agent = new Agent({ connect: { socketPath: socket }, keepAliveTimeout: 5_000 });
  let negotiated: Promise<string> | undefined;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    what: string,
    timeoutMs = requestTimeoutMs,
    signal?: AbortSignal,
  ): Promise<Answer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await request(`http://engine${path}`, {
        method,
        dispatcher: agent,
        signal: combined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, text, body: parseJson(text) };
    } catch (error) {
      if (timeout.aborted) {
        throw new ContainerEngineError(
          'timeout',
          `container engine at ${socket} did not answer ${what} within ${Math.round(timeoutMs / 1000)} s`,
          error,
        );
      }
      if (signal?.aborted) throw error;
      throw connectionError(socket, error);
    }
  }

  function apiBase(signal?: AbortSignal): Promise<string> {
    negotiated ??= call('GET', '/version', 'GET /version', requestTimeoutMs, signal).then(
      (answer) => `/v${chooseApiVersion(answer, socket)}`,
    );
    // A failed negotiation is not cached: the engine may come up later.
    negotiated.catch(() => {
      negotiated = undefined;
    });
    return negotiated;
  }

  function accept(answer: Answer, what: string, ok: number[]): Answer {
    if (ok.includes(answer.status)) return answer;
    throw statusError(what, answer.status, engineMessage(answer));
  }

  return {
    socket,
    async info(signal) {
      const answer = accept(
        await call('GET', '/version', 'GET /version', requestTimeoutMs, signal),
        'GET /version',
        [200],
      );
      const body = answer.body as { Version?: string; Components?: Array<{ Name?: string }> };
      const podman = body.Components?.some((c) => /podman/i.test(c.Name ?? '')) ?? false;
      const apiVersion = (await apiBase(signal)).slice(2);
      return { engine: podman ? 'podman' : 'docker', version: body.Version ?? '?', apiVersion };
    },
    async listLabelled(labelKey, signal) {
      const filters = encodeURIComponent(JSON.stringify({ label: [labelKey] }));
      const what = 'GET /containers/json';
      const path = `${await apiBase(signal)}/containers/json?all=true&filters=${filters}`;
      const answer = accept(await call('GET', path, what, requestTimeoutMs, signal), what, [200]);
      return Array.isArray(answer.body) ? answer.body.map(toContainer) : [];
    },
    async inspect(id, signal) {
      const what = `GET /containers/${id}/json`;
      const path = `${await apiBase(signal)}/containers/${encodeURIComponent(id)}/json`;
      const answer = accept(await call('GET', path, what, requestTimeoutMs, signal), what, [200]);
      return toDetails(answer.body);
    },
    async act(id, action: ContainerAction, actOptions = {}) {
      const t = actOptions.stopTimeoutSec;
      const what = `POST /containers/${id}/${action}`;
      const query = action !== 'start' && t !== undefined ? `?t=${t}` : '';
      const path = `${await apiBase(actOptions.signal)}/containers/${encodeURIComponent(id)}/${action}${query}`;
      // The engine answers only after the stop grace (`t`) has run out: wait longer than that.
      const timeoutMs = requestTimeoutMs + (action === 'start' ? 0 : (t ?? 10) * 1000);
      const answer = await call('POST', path, what, timeoutMs, actOptions.signal);
      // 304: already started / already stopped.
      accept(answer, what, [204, 304]);
    },
    close: () => agent.close(),
  };
}

function chooseApiVersion(answer: Answer, socket: string): string {
  const body = answer.body as { ApiVersion?: string } | undefined;
  const offered = /^(\d+)\.(\d+)$/.exec(body?.ApiVersion ?? '');
  if (answer.status !== 200 || !offered) {
    throw statusError(`GET /version on ${socket}`, answer.status, engineMessage(answer));
  }
  const version = [Number(offered[1]), Number(offered[2])] as const;
  if (compare(version, MIN_API) < 0) {
    throw new ContainerEngineError(
      'engine',
      `the container engine at ${socket} speaks API ${body?.ApiVersion}; Starbridge needs at least ${MIN_API.join('.')}`,
    );
  }
  return (compare(version, MAX_API) > 0 ? MAX_API : version).join('.');
}

function compare(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function engineMessage(answer: Answer): string {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : answer.text.trim();
}

type Raw = Record<string, unknown>;

function toContainer(raw: Raw): EngineContainer {
  const names = Array.isArray(raw.Names) ? (raw.Names as string[]) : [];
  return {
    id: String(raw.Id ?? ''),
    name: (names[0] ?? '').replace(/^\//, ''),
    image: String(raw.Image ?? ''),
    state: String(raw.State ?? 'unknown'),
    labels: (raw.Labels as Record<string, string> | null) ?? {},
  };
}

function toDetails(raw: unknown): EngineContainerDetails {
  const body = (raw ?? {}) as Raw;
  const state = (body.State ?? {}) as { Status?: string; StartedAt?: string; Health?: Raw };
  const config = (body.Config ?? {}) as { Image?: string; Labels?: Record<string, string> | null };
  const health = typeof state.Health?.Status === 'string' ? state.Health.Status : '';
  return {
    id: String(body.Id ?? ''),
    name: String(body.Name ?? '').replace(/^\//, ''),
    image: config.Image ?? String(body.Image ?? ''),
    state: state.Status ?? 'unknown',
    labels: config.Labels ?? {},
    // Podman reports an empty status, Docker no Health object, for "no health check".
    health: health === '' ? null : health,
    startedAt: state.StartedAt ?? null,
    restartCount: typeof body.RestartCount === 'number' ? body.RestartCount : null,
  };
}
