import { z } from 'zod';

/** Merchant key-value data: up to 50 keys of 40 characters, values up to 500. */
export const metadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= 50, { message: 'may hold at most 50 keys' })
  .meta({ id: 'Metadata' });
export type Metadata = z.infer<typeof metadataSchema>;
