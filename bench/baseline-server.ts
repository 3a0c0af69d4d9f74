/**
 * The ingest baseline: the same Hono + @hono/node-server stack as Starbridge, with a
 * webhook handler that does nothing but answer 202. Run as its own process:
 * `PORT=<port> node --import tsx bench/baseline-server.ts`. With `BASELINE_READ_BODY=1`
 * the handler first reads the whole body, as any real webhook handler must (information:
 * it separates the cost of reading a body through the stack from Starbridge's own).
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/health/live', (c) => c.json({ status: 'ok' }));
if (process.env.BASELINE_READ_BODY === '1') {
  app.post('/webhooks/github', async (c) => {
    await c.req.arrayBuffer();
    return c.json({ ok: true }, 202);
  });
} else {
  app.post('/webhooks/github', (c) => c.json({ ok: true }, 202));
}

const port = Number(process.env.PORT ?? '0');
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
  console.log(JSON.stringify({ msg: 'baseline listening', port: info.port }));
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
