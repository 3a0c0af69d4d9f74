// Writes docs/openapi.json: the admin API's OpenAPI document exactly as a running Starbridge
// serves it at GET /api/v1/openapi.json (a test checks the committed copy still matches).
//
//   npm run openapi
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { startService } from '../src/service.js';
import { createLogger } from '../src/shared/logger.js';

export const OPENAPI_FILE = new URL('../docs/openapi.json', import.meta.url).pathname;

/** Starts the service on a throwaway SQLite database and returns the document it serves. */
export async function servedOpenApiDocument(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'starbridge-openapi-'));
  const service = await startService(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'starbridge.db')}`,
      DATA_DIR: dir,
    }),
    createLogger({ level: 'silent' }),
  );
  try {
    const answer = await fetch(`http://127.0.0.1:${service.port}/api/v1/openapi.json`);
    if (!answer.ok) throw new Error(`GET /api/v1/openapi.json answered ${answer.status}`);
    return await answer.json();
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OPENAPI_FILE, JSON.stringify(await servedOpenApiDocument()));
  // Laid out as the linter wants it, so `npm run lint` stays clean after a regeneration.
  execFileSync('npx', ['biome', 'format', '--write', OPENAPI_FILE], { stdio: 'ignore' });
  console.log(`wrote ${OPENAPI_FILE}`);
}
