import type { Server } from 'node:http';
import { serve } from '@hono/node-server';

export interface ListenOptions {
  hostname: string;
  port: number;
  /** Time a client gets to send all request headers; default 20 s. */
  headersTimeoutMs?: number;
  /** Time a client gets to send the whole request, body included; default 60 s. */
  requestTimeoutMs?: number;
}

/**
 * Serves `fetch` on a Node HTTP server. A client that trickles its headers or body (slow loris,
 * docs/reference/bad-inputs.md#w19) is answered 408 and cut off when its time is up, so it holds a
 * socket for a bounded time and never reaches a handler, a worker or the database.
 */
export function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
  options: ListenOptions,
): Promise<Server> {
  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        hostname: options.hostname,
        port: options.port,
        serverOptions: {
          headersTimeout,
          requestTimeout,
          // Node enforces both limits on this timer (30 s by default), so tighter limits need a tighter check.
          connectionsCheckingInterval: Math.min(30_000, Math.max(50, headersTimeout / 4)),
        },
      },
      () => resolve(server as Server),
    ) as Server;
    server.once('error', reject);
  });
}

/**
 * The address a person should open once the server listens: PUBLIC_URL when set, else the
 * bound host (a wildcard host is reached as localhost on the same machine).
 */
export function urlToOpen(http: { host: string; publicUrl?: string }, port: number): string {
  if (http.publicUrl) return http.publicUrl;
  const wildcard = ['0.0.0.0', '::', ''].includes(http.host);
  const host = wildcard ? 'localhost' : http.host.includes(':') ? `[${http.host}]` : http.host;
  return `http://${host}:${port}/`;
}
