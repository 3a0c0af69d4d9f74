/** A container as the engine lists it (`GET /containers/json`). */
export interface EngineContainer {
  id: string;
  /** Without the leading slash the Docker API puts in front of names. */
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
}

/** What `GET /containers/{id}/json` tells us beyond the listing. */
export interface EngineContainerDetails extends EngineContainer {
  /** healthy, unhealthy, starting, or null without a health check. */
  health: string | null;
  startedAt: string | null;
  /** Restarts the engine made on its own (restart policy); null when it does not say. */
  restartCount: number | null;
}

export type ContainerAction = 'start' | 'stop' | 'restart';

/**
 * The few Docker Engine API calls Starbridge makes (Docker and Podman serve them alike):
 * `GET /version`, `GET /containers/json`, `GET /containers/{id}/json` and
 * `POST /containers/{id}/start|stop|restart`. Nothing else: no create, exec or pull, so a
 * socket proxy can forbid everything else. Failures are ContainerEngineErrors.
 */
export interface ContainerEngine {
  /** The socket this engine talks to, for messages. */
  readonly socket: string;
  /** Engine name and versions; also negotiates the API version used by the other calls. */
  info(signal?: AbortSignal): Promise<{ engine: string; version: string; apiVersion: string }>;
  /** Containers (running or not) that carry `labelKey`, whatever its value. */
  listLabelled(labelKey: string, signal?: AbortSignal): Promise<EngineContainer[]>;
  inspect(id: string, signal?: AbortSignal): Promise<EngineContainerDetails>;
  /** `stopTimeoutSec` is the engine's grace between SIGTERM and SIGKILL (`t`). */
  act(
    id: string,
    action: ContainerAction,
    options?: { stopTimeoutSec?: number; signal?: AbortSignal },
  ): Promise<void>;
  close(): Promise<void>;
}
