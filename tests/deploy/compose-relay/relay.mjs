// Listens where PostgreSQL would (5432) and relays every connection to RELAY_TO (host:port).
import { connect, createServer } from 'node:net';

const [host, port] = (process.env.RELAY_TO ?? '').split(':');
createServer((client) => {
  const upstream = connect(Number(port), host);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
}).listen(5432, '0.0.0.0', () => console.log(`relaying :5432 to ${host}:${port}`));

// PID 1 gets no default signal handlers: stop at once on `podman stop`.
process.on('SIGTERM', () => process.exit(0));
