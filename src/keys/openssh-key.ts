import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** A new key pair: the private key in OpenSSH's own format, the public key as one line. */
export interface SshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----…`, unencrypted: it is encrypted before storage. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… <comment>`, as GitHub's deploy key form takes it. */
  publicKey: string;
  /** `SHA256:…`, as `ssh-keygen -l` and GitHub's deploy key list show it. */
  fingerprint: string;
}

const KEY_TYPE = 'ssh-ed25519';

/**
 * Generates an Ed25519 key pair with node:crypto and writes it in the OpenSSH formats
 * (the `openssh-key-v1` container for the private key), so no `ssh-keygen` child ever
 * sees it and nothing touches the disk.
 */
export function generateEd25519(comment: string): SshKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const blob = publicBlob(pub);
  return {
    privateKey: opensshPrivateKey(blob, pub, seed, comment),
    publicKey: `${KEY_TYPE} ${blob.toString('base64')} ${comment}`,
    fingerprint: fingerprintOf(blob),
  };
}

/** `SHA256:` and the unpadded base64 of the SHA-256 of the public key blob. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function publicBlob(pub: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
}

function opensshPrivateKey(blob: Buffer, pub: Buffer, seed: Buffer, comment: string): string {
  const check = randomBytes(4);
  const section = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  // The private section is padded with 1, 2, 3… to the cipher's block size (8 for "none").
  const padLength = (8 - (section.length % 8)) % 8;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}
