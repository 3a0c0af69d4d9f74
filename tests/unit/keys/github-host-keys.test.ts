import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GITHUB_KNOWN_HOSTS } from '../../../src/keys/github-host-keys.js';

const FILE = new URL('../../../src/keys/github_known_hosts', import.meta.url).pathname;

describe("GitHub's SSH host keys", () => {
  it('are the same in the shipped known_hosts file and in the code', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(GITHUB_KNOWN_HOSTS);
  });

  it('have the fingerprints GitHub publishes (docs/reference/github.md#ssh-host-keys)', () => {
    const listed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', FILE]).toString();
    expect(listed.trim().split('\n')).toEqual([
      '256 SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU github.com (ED25519)',
      '256 SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM github.com (ECDSA)',
      '3072 SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s github.com (RSA)',
    ]);
  });
});
