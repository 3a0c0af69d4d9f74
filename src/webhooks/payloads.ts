import { z } from 'zod';

/** The part of a webhook's `repository` object Starbridge reads. Unknown fields are ignored. */
export const webhookRepository = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  private: z.boolean().optional(),
  default_branch: z.string().optional(),
  archived: z.boolean().optional(),
});

/** Repositories as `installation*` events list them (no owner object, no default branch). */
export const installationRepository = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  full_name: z.string(),
  private: z.boolean().optional(),
});

export const webhookPayload = z.object({
  action: z.string().optional(),
  repository: webhookRepository.optional(),
  sender: z.object({ login: z.string() }).optional(),
  installation: z
    .object({
      id: z.number().int().positive(),
      account: z.object({ login: z.string() }).nullish(),
    })
    .optional(),
  repositories: z.array(installationRepository).optional(),
  repositories_added: z.array(installationRepository).optional(),
  repositories_removed: z.array(installationRepository).optional(),
});

export type WebhookRepository = z.infer<typeof webhookRepository>;
export type InstallationRepository = z.infer<typeof installationRepository>;
export type WebhookPayload = z.infer<typeof webhookPayload>;
