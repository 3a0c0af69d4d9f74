import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where an instance keeps its identity: one file in its own data directory. */
export function instanceIdPath(dataDir: string): string {
  return join(dataDir, 'instance-id');
}

/**
 * The identity of this instance, stable across restarts: a random UUID written to
 * `DATA_DIR/instance-id` (mode 0600) on the first start and read on later ones. Only one
 * process runs per data directory, so a lease whose owner carries this id but not the
 * current run's is a previous run's, and that run is gone.
 */
export async function loadInstanceId(dataDir: string): Promise<string> {
  const path = instanceIdPath(dataDir);
  const stored = await readStored(path);
  if (stored !== undefined) return stored;
  await mkdir(dataDir, { recursive: true });
  const created = randomUUID();
  try {
    await writeFile(path, `${created}\n`, { mode: 0o600, flag: 'wx' });
    return created;
  } catch (error) {
    // Written meanwhile (a second process started on the same directory): that one counts.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readStored(path)) ?? created;
  }
}

async function readStored(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const id = text.trim();
  if (!UUID.test(id)) {
    throw new Error(
      `${path} does not hold an instance id (a UUID); delete the file so a new one is made at the next start`,
    );
  }
  return id;
}

/**
 * A lease owner for one run of an instance: `<instance-id>/<host:pid:random>`. The prefix
 * tells a restarted instance its previous run's leases from a live replica's.
 */
export function runLeaseOwner(instanceId: string | undefined): string {
  const run = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return instanceId ? `${instanceId}/${run}` : run;
}
