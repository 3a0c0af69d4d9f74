import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519 } from '../../../src/keys/openssh-key.js';

/** OpenSSH's own tool is the judge of the formats. */
describe('generateEd25519', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes a private key ssh-keygen reads, whose public key and fingerprint are the ones shown', () => {
    const pair = generateEd25519('starbridge-test');
    dir = mkdtempSync(join(tmpdir(), 'starbridge-key-'));
    const file = join(dir, 'id');
    writeFileSync(file, pair.privateKey, { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // -y prints the public key (with the comment) that ssh derives from the private key.
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim();
    expect(derived).toBe(pair.publicKey);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ starbridge-test$/);

    writeFileSync(`${file}.pub`, `${pair.publicKey}\n`);
    const listed = execFileSync('ssh-keygen', [
      '-l',
      '-E',
      'sha256',
      '-f',
      `${file}.pub`,
    ]).toString();
    expect(listed).toBe(`256 ${pair.fingerprint} starbridge-test (ED25519)\n`);
    // The comment is inside the private key too, as ssh-keygen writes it.
    expect(execFileSync('ssh-keygen', ['-l', '-f', file]).toString()).toContain('starbridge-test');
    expect(readFileSync(file, 'utf8')).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n$/,
    );
  });

  it('makes a different key every time', () => {
    const a = generateEd25519('x');
    const b = generateEd25519('x');
    expect(a.privateKey).not.toBe(b.privateKey);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });
});
