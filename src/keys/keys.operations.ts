import type { Operation, ResponseSpec } from '../admin/operation.js';
import {
  createKeyBody,
  keyDeletedSchema,
  keyParams,
  mirrorKeyBody,
  mirrorKeyParams,
  mirrorKeySchema,
  sshKeyListSchema,
  sshKeySchema,
} from './keys.schemas.js';

const noSecret: ResponseSpec = {
  description: 'KEYS_SECRET (KEYS_SECRET_FILE) is not set: no key can be stored or used',
};
const MIRROR_KEY = '/api/v1/mirrors/{owner}/{name}/ssh-key';

/** The SSH deploy keys' admin operations, spread into `operations`. */
export function keyOperations() {
  const listKeys: Operation<undefined, undefined, undefined> = {
    operationId: 'listSshKeys',
    method: 'get',
    path: '/api/v1/keys',
    summary: 'SSH deploy keys: name, public key, fingerprint, mirrors using each',
    description: 'Private keys are never returned by any operation.',
    responses: { 200: { description: 'every key, by name', schema: sshKeyListSchema } },
  };
  const createKey: Operation<undefined, undefined, typeof createKeyBody> = {
    operationId: 'createSshKey',
    method: 'post',
    path: '/api/v1/keys',
    summary: 'Generate a named Ed25519 key pair (the private key is stored encrypted)',
    body: createKeyBody,
    responses: {
      201: { description: 'the new key; add its publicKey to GitHub', schema: sshKeySchema },
      409: { description: 'a key of that name exists' },
      503: noSecret,
    },
  };
  const deleteKey: Operation<typeof keyParams, undefined, undefined> = {
    operationId: 'deleteSshKey',
    method: 'delete',
    path: '/api/v1/keys/{name}',
    summary: 'Delete a key that no mirror uses',
    params: keyParams,
    responses: {
      200: { description: 'deleted', schema: keyDeletedSchema },
      404: { description: 'no key of that name' },
      409: { description: 'mirrors still use it; the message names them' },
    },
  };
  const getMirrorKey: Operation<typeof mirrorKeyParams, undefined, undefined> = {
    operationId: 'getMirrorSshKey',
    method: 'get',
    path: MIRROR_KEY,
    summary: 'The deploy key a mirror fetches with (null: HTTPS)',
    params: mirrorKeyParams,
    responses: {
      200: { description: 'the key', schema: mirrorKeySchema },
      404: { description: 'no mirror of that repository' },
    },
  };
  const setMirrorKey: Operation<typeof mirrorKeyParams, undefined, typeof mirrorKeyBody> = {
    operationId: 'setMirrorSshKey',
    method: 'post',
    path: MIRROR_KEY,
    summary: 'Fetch a mirror over SSH with a deploy key, or (null) over HTTPS again',
    description:
      'Takes effect at the next sync. The mirror then fetches from git@GITHUB_SSH_HOST:<owner>/<name>.git with only this key, accepting only the known host keys; the push to OneDev is unchanged.',
    params: mirrorKeyParams,
    body: mirrorKeyBody,
    responses: {
      200: { description: 'set', schema: mirrorKeySchema },
      404: { description: 'no mirror of that repository, or no key of that name' },
      503: noSecret,
    },
  };
  return { listKeys, createKey, deleteKey, getMirrorKey, setMirrorKey };
}
