import { AppError, type ErrorCode } from '../shared/errors.js';

/** Why a container engine call failed; each kind has its own advice. */
export type EngineFailure =
  | 'unavailable'
  | 'permission'
  | 'forbidden'
  | 'not_found'
  | 'timeout'
  | 'engine';

const HTTP: Record<EngineFailure, { code: ErrorCode; status: number }> = {
  unavailable: { code: 'Unavailable', status: 503 },
  permission: { code: 'Forbidden', status: 503 },
  forbidden: { code: 'Forbidden', status: 502 },
  not_found: { code: 'NotFound', status: 404 },
  timeout: { code: 'Unavailable', status: 504 },
  engine: { code: 'Unavailable', status: 502 },
};

/** A failed container engine call; the message says what happened and what to do. */
export class ContainerEngineError extends AppError {
  constructor(
    readonly failure: EngineFailure,
    message: string,
    cause?: unknown,
  ) {
    super(HTTP[failure].code, message, HTTP[failure].status, { cause });
  }
}

/** Turns a socket-level error (undici wraps the errno in `cause`) into advice. */
export function connectionError(socket: string, thrown: unknown): ContainerEngineError {
  const code = errnoOf(thrown);
  if (code === 'ENOENT') {
    return new ContainerEngineError(
      'unavailable',
      `no container engine socket at ${socket}: start the Podman API socket (systemctl --user enable --now podman.socket) or Docker, or set CONTAINER_SOCKET to the right path (empty turns restarts off)`,
      thrown,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ContainerEngineError(
      'permission',
      `permission denied on ${socket}: run Starbridge as a user allowed to use it (the owner of a rootless Podman socket, or a member of the socket's group), or point CONTAINER_SOCKET at a socket proxy`,
      thrown,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new ContainerEngineError(
      'unavailable',
      `nothing listens on ${socket} (a stale socket file?): restart the Podman or Docker service, or fix CONTAINER_SOCKET`,
      thrown,
    );
  }
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new ContainerEngineError(
    'unavailable',
    `container engine at ${socket} unreachable: ${detail}`,
    thrown,
  );
}

/** An HTTP answer other than success, as advice for the operator. */
export function statusError(
  what: string,
  status: number,
  engineMessage: string,
): ContainerEngineError {
  const said = engineMessage ? ` (${engineMessage.slice(0, 300)})` : '';
  if (status === 403) {
    return new ContainerEngineError(
      'forbidden',
      `container API forbade ${what}${said} — check the socket proxy: allow ${asAllowed(what)} for this; restarts after syncs need GET /containers/json, GET /containers/{id}/json and POST /containers/{id}/restart (Tecnativa docker-socket-proxy needs CONTAINERS=1 and POST=1; ALLOW_RESTARTS alone does not do it)`,
    );
  }
  if (status === 404) return new ContainerEngineError('not_found', `${what}: no such container`);
  return new ContainerEngineError(
    'engine',
    `container engine failed ${what}: HTTP ${status}${said}`,
  );
}

/** `POST /containers/3f2a…/start` as a proxy rule: `POST /containers/{id}/start`. */
function asAllowed(what: string): string {
  return what.replace(/\/containers\/[^/\s]+\//, '/containers/{id}/');
}

function errnoOf(thrown: unknown): string | undefined {
  for (let e: unknown = thrown, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
