import type { DbHandle } from '../db/database.js';
import type { Mirror } from '../mirrors/mirror.js';
import type { Clock } from '../shared/clock.js';
import {
  ConflictError,
  NotConfiguredError,
  NotFoundError,
  ValidationError,
} from '../shared/errors.js';
import { UpstreamError } from '../shared/upstream-error.js';
import { decryptPrivateKey, encryptPrivateKey, KeyDecryptionError } from './key-crypto.js';
import {
  deleteKey,
  findKey,
  insertKey,
  keyNameOfMirror,
  listKeys,
  mirrorsByKey,
  setMirrorKey,
} from './keys.repo.js';
import { generateEd25519 } from './openssh-key.js';

/** A deploy key as pages and the admin API show it: never the private key. */
export interface SshKeyView {
  name: string;
  /** `ssh-ed25519 AAAA… starbridge-<name>`: what to paste into GitHub. */
  publicKey: string;
  fingerprint: string;
  createdAt: string;
  /** `owner/name` of the mirrors that fetch with it. */
  mirrors: string[];
}

/** Named deploy keys, and which mirror fetches over SSH with which. */
export interface KeysService {
  /** False without KEYS_SECRET: no key can be generated or used. */
  readonly enabled: boolean;
  list(): Promise<SshKeyView[]>;
  /** Generates and stores a new Ed25519 key pair. */
  create(name: string): Promise<SshKeyView>;
  /** Deletes a key no mirror uses. */
  remove(name: string): Promise<void>;
  /** Sets the key a mirror fetches with; `null` goes back to HTTPS. */
  setForMirror(owner: string, name: string, keyName: string | null): Promise<string | null>;
  /** The key name a mirror fetches with, or null (HTTPS). */
  keyOfMirror(githubId: number): Promise<string | null>;
  /** The decrypted private key a mirror fetches with, or undefined (HTTPS). */
  privateKeyFor(githubId: number): Promise<{ name: string; privateKey: string } | undefined>;
}

export interface KeysDeps {
  handle: DbHandle;
  clock: Clock;
  /** KEYS_SECRET (from KEYS_SECRET_FILE); undefined turns key storage off. */
  secret: string | undefined;
  findMirror(owner: string, name: string): Promise<Mirror | undefined>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Refuses a name that is not 1–63 letters, digits, `_ . -` (not starting with `_ . -`). */
export function checkKeyName(name: string): string {
  if (!NAME.test(name)) {
    throw new ValidationError(
      `invalid key name ${JSON.stringify(name.slice(0, 80))}: use 1 to 63 letters, digits, _ . - (starting with a letter or digit)`,
    );
  }
  return name;
}

const NO_SECRET =
  'SSH keys are off: set KEYS_SECRET_FILE to a file holding a random secret of at least 32 characters (it encrypts the private keys at rest), then restart Starbridge';

export function createKeysService(deps: KeysDeps): KeysService {
  const db = deps.handle.db;
  const secret = (): string => {
    if (!deps.secret) throw new NotConfiguredError(NO_SECRET);
    return deps.secret;
  };
  const view = (
    row: { name: string; public_key: string; fingerprint: string; created_at: string },
    mirrors: string[],
  ): SshKeyView => ({
    name: row.name,
    publicKey: row.public_key,
    fingerprint: row.fingerprint,
    createdAt: row.created_at,
    mirrors,
  });

  return {
    enabled: Boolean(deps.secret),
    async list() {
      const [rows, used] = await Promise.all([listKeys(db), mirrorsByKey(db)]);
      return rows.map((row) => view(row, used.get(row.name) ?? []));
    },
    async create(name) {
      const key = secret();
      checkKeyName(name);
      if (await findKey(db, name)) throw new ConflictError(`a key named ${name} already exists`);
      const pair = generateEd25519(`starbridge-${name}`);
      const row = {
        name,
        public_key: pair.publicKey,
        fingerprint: pair.fingerprint,
        private_key_encrypted: encryptPrivateKey(key, name, pair.privateKey),
        created_at: deps.clock.now().toISOString(),
      };
      try {
        await insertKey(db, row);
      } catch (error) {
        if (await findKey(db, name)) throw new ConflictError(`a key named ${name} already exists`);
        throw error;
      }
      return view(row, []);
    },
    async remove(name) {
      const users = (await mirrorsByKey(db)).get(name) ?? [];
      if (users.length > 0) {
        throw new ConflictError(
          `key ${name} is used by ${users.join(', ')}: set those mirrors to another key (or none) first`,
        );
      }
      if (!(await deleteKey(db, name))) throw new NotFoundError(`no SSH key named ${name}`);
    },
    async setForMirror(owner, name, keyName) {
      const mirror = await deps.findMirror(owner, name);
      if (!mirror) throw new NotFoundError(`no mirror of ${owner}/${name}`);
      if (keyName !== null) {
        secret();
        if (!(await findKey(db, checkKeyName(keyName))))
          throw new NotFoundError(`no SSH key named ${keyName}; generate it first`);
      }
      await setMirrorKey(db, mirror.githubId, keyName, deps.clock.now().toISOString());
      return keyName;
    },
    async keyOfMirror(githubId) {
      return (await keyNameOfMirror(db, githubId)) ?? null;
    },
    async privateKeyFor(githubId) {
      const name = await keyNameOfMirror(db, githubId);
      if (name === undefined) return undefined;
      if (!deps.secret) throw keyUnavailable(`it is set to SSH key ${name} but ${NO_SECRET}`);
      const row = await findKey(db, name);
      if (!row) throw keyUnavailable(`its SSH key ${name} no longer exists; set another key`);
      try {
        return {
          name,
          privateKey: decryptPrivateKey(deps.secret, name, row.private_key_encrypted),
        };
      } catch (error) {
        if (!(error instanceof KeyDecryptionError)) throw error;
        throw keyUnavailable(
          `its SSH key ${name} cannot be decrypted with the secret in KEYS_SECRET_FILE: the secret is not the one the key was stored with (restore it, or generate a new key and add it to GitHub)`,
        );
      }
    },
  };
}

function keyUnavailable(why: string): UpstreamError {
  return new UpstreamError('ssh_key_unavailable', `cannot fetch over SSH: ${why}`, {
    retryable: false,
  });
}
