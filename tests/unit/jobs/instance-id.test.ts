import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { instanceIdPath, loadInstanceId, runLeaseOwner } from '../../../src/jobs/instance-id.js';

describe('the instance identity kept in DATA_DIR', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'starbridge-instance-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is created on the first start, readable by its owner only, and the same on later starts', async () => {
    const dataDir = join(tempDir(), 'data');
    const first = await loadInstanceId(dataDir);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(statSync(instanceIdPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(await loadInstanceId(dataDir)).toBe(first);
  });

  it('differs between data directories', async () => {
    expect(await loadInstanceId(tempDir())).not.toBe(await loadInstanceId(tempDir()));
  });

  it('refuses a file that does not hold one, saying what to do', async () => {
    const dataDir = tempDir();
    writeFileSync(instanceIdPath(dataDir), 'not an id\n');
    await expect(loadInstanceId(dataDir)).rejects.toThrow(/delete the file/);
  });

  it('prefixes every run’s lease owner, each run with its own', () => {
    const a = runLeaseOwner('inst');
    const b = runLeaseOwner('inst');
    expect(a.startsWith('inst/')).toBe(true);
    expect(b).not.toBe(a);
    expect(runLeaseOwner(undefined)).not.toContain('/');
  });
});
