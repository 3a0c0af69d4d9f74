import { z } from 'zod';
import { models } from '../admin/admin.schemas.js';

/** Requests and answers of `/api/v1/keys…`, registered with the admin models. */
const keyName = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'use letters, digits, _ . - (starting with a letter or digit)',
  );

export const createKeyBody = z.strictObject({
  name: keyName.describe('a name to tell keys apart, e.g. the repository it is for'),
});

export const keyParams = z.object({ name: keyName.describe('the key name') });

export const mirrorKeyParams = z.object({
  owner: z.string().min(1).max(100).describe('GitHub owner'),
  name: z.string().min(1).max(100).describe('GitHub repository name'),
});

export const mirrorKeyBody = z.strictObject({
  key: keyName
    .nullable()
    .describe('the deploy key to fetch with over SSH; null: back to HTTPS with the token'),
});

export const sshKeySchema = z.object({
  name: z.string(),
  publicKey: z.string().describe('one line to paste into GitHub: Settings → Deploy keys → Add'),
  fingerprint: z.string().describe('SHA256:…, as GitHub lists deploy keys'),
  createdAt: z.string().describe('ISO-8601 UTC'),
  mirrors: z.array(z.string()).describe('owner/name of the mirrors that fetch with this key'),
});
models.add(sshKeySchema, { id: 'SshKey' });

export const sshKeyListSchema = z.object({ keys: z.array(sshKeySchema) });
models.add(sshKeyListSchema, { id: 'SshKeyList' });

export const keyDeletedSchema = z.object({ deleted: z.string() });

export const mirrorKeySchema = z.object({
  repository: z.string(),
  key: z.string().nullable().describe('the deploy key it fetches with; null: HTTPS'),
});
models.add(mirrorKeySchema, { id: 'MirrorSshKey' });
