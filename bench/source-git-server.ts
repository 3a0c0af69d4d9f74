import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runGitHttpBackend } from '../tests/support/git-http-backend.js';

/** One request to the source, with the git command a POST carried. */
export interface SourceRequest {
  method: string;
  path: string;
  /** `service=` of an info/refs GET. */
  service?: string;
  /**
   * For POSTs: the protocol v2 command (`ls-refs`, `fetch`), or `want` for a protocol v0
   * fetch — so an ls-remote can be told apart from a fetch on the wire.
   */
  command?: string;
}

export interface SourceGitServer {
  url: string;
  requests: SourceRequest[];
  close(): Promise<void>;
}

/**
 * The loopback smart-HTTP source of the refresh benchmark: the same real `git
 * http-backend` as tests/support/git-server.ts, but it also reads which command each
 * POST carries. Under protocol v2 (git's default) an `ls-remote` is a GET of
 * `info/refs` plus a POST with `command=ls-refs`; only a POST with `command=fetch`
 * transfers objects.
 */
export async function startSourceGitServer(root: string): Promise<SourceGitServer> {
  const projectRoot = resolve(root);
  const requests: SourceRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://source');
    const record: SourceRequest = { method: req.method ?? 'GET', path: url.pathname };
    const service = url.searchParams.get('service');
    if (service) record.service = service;
    requests.push(record);
    if (record.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        record.command = commandOf(Buffer.concat(chunks), req.headers['content-encoding']);
      });
    }
    const pathInfo = decodeURIComponent(url.pathname);
    if (pathInfo.split('/').includes('..')) {
      res.writeHead(400).end();
      return;
    }
    runGitHttpBackend(req, res, { projectRoot, pathInfo, remoteUser: 'anonymous' }).catch(
      (error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function commandOf(body: Buffer, encoding: string | string[] | undefined): string {
  let text: string;
  try {
    text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('latin1');
  } catch {
    return 'unreadable';
  }
  const v2 = /command=([a-z-]+)/.exec(text);
  if (v2?.[1]) return v2[1];
  return /\bwant [0-9a-f]{40}/.test(text) ? 'want' : 'other';
}
