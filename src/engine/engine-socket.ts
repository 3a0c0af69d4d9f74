import { existsSync } from 'node:fs';
import type { ContainerEngine } from './engine.port.js';

/**
 * Which socket to use: the configured one (even if missing, so the error names it), none
 * when restarts are off (`null`), or the first candidate that exists.
 */
export function resolveSocket(
  configured: string | null | undefined,
  candidates: readonly string[],
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  if (configured === null) return undefined;
  if (configured !== undefined) return configured.replace(/^unix:\/\//, '');
  return candidates.find((path) => exists(path));
}

/** The engine, created on first need; `undefined` while there is none to talk to. */
export interface EngineAccess {
  get(): ContainerEngine | undefined;
  /** Why `get()` is undefined, for the ledger and the API. */
  readonly missingReason: string;
  close(): Promise<void>;
}

/**
 * A detected socket is looked for again on each use until one appears (Podman's socket is
 * often activated after Starbridge starts); a configured one is used as given.
 */
export function createEngineAccess(options: {
  socket: string | null | undefined;
  candidates: readonly string[];
  create: (socketPath: string) => ContainerEngine;
  exists?: (path: string) => boolean;
}): EngineAccess {
  let engine: ContainerEngine | undefined;
  return {
    get() {
      if (engine) return engine;
      const socket = resolveSocket(options.socket, options.candidates, options.exists);
      if (socket) engine = options.create(socket);
      return engine;
    },
    missingReason:
      options.socket === null
        ? 'no container engine (CONTAINER_SOCKET is empty: restarts are off)'
        : `no container engine (no socket at ${options.candidates.join(', ')}; set CONTAINER_SOCKET)`,
    // Idempotent: a shutdown may reach the engine from more than one owner.
    async close() {
      const current = engine;
      engine = undefined;
      await current?.close();
    },
  };
}
