import { z } from 'zod';

/**
 * A secret key as the audit trail shows it: never the key itself, only its last four
 * characters, when it was made and when it ends. `api_key.rolled` and `api_key.expired`
 * events carry it, recorded in the transaction that changes the key.
 */
export const apiKeySchema = z
  .object({
    id: z.string().meta({ example: 'key_2Hq8…' }),
    object: z.literal('api_key'),
    livemode: z.boolean(),
    type: z.literal('secret'),
    last4: z.string(),
    created: z.number().int().meta({ description: 'Unix seconds.' }),
    expires_at: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Unix seconds when the key stops working; null while current.' }),
    changed_by: z.string().meta({
      description:
        'Who made the change: `dashboard:` and the user’s email, or `cli` (`kassa keys …`).',
      example: 'dashboard:owner@shop.example',
    }),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof apiKeySchema>;
