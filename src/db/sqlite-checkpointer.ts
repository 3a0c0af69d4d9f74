import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, as a CommonJS script (evaluated, so it needs no file of its own in
 * either the compiled or the source tree). Its own connection runs PASSIVE checkpoints,
 * which never block the service's writer or readers; SQLITE_BUSY just means "next time".
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error && error.code !== 'SQLITE_BUSY') parentPort.postMessage(String(error.message || error));
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  process.exit(0);
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Copies the SQLite WAL back into the database file from a worker thread. better-sqlite3
 * is synchronous, so a checkpoint run by a commit (SQLite's default) stalls every request
 * behind it, fsync included; here it runs beside them.
 */
export function startCheckpointer(
  path: string,
  options: { everyMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, everyMs: options.everyMs ?? 200 },
  });
  // Never keeps the process alive; a crash leaves a WAL that SQLite replays at next open.
  worker.unref();
  worker.on('message', (message) => options.onError?.(String(message)));
  worker.on('error', (error) => options.onError?.(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held again while it winds down: an unreferenced worker is no reason for Node to
      // stay, so a shutdown awaiting only this would end the process before it finished.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
