import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat-like receiver of NOTIFY_URL on loopback: records every JSON message it is sent. */
export async function startNotifyReceiver() {
  const received: Array<Record<string, unknown> & { kind: string; text: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    kinds: () => received.map((message) => message.kind),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type NotifyReceiver = Awaited<ReturnType<typeof startNotifyReceiver>>;
