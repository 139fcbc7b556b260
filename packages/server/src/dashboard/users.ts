import { newId } from '@kassa/protocol';
import { MIN_PASSWORD } from '@kassa/protocol/dashboard';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { DashboardUserRow, Store } from '../store/types.ts';
import { generatePassword, hashPassword } from './passwords.ts';

export const newUserSchema = z.object({
  merchantId: z.string().regex(/^mer_/, 'must be a merchant id (mer_…)'),
  email: z
    .email('must be an email address')
    .max(255)
    .transform((e) => e.toLowerCase()),
  role: z.enum(['owner', 'viewer']).default('owner'),
  password: z
    .string()
    .min(MIN_PASSWORD, `must be at least ${MIN_PASSWORD} characters`)
    .max(1024)
    .optional(),
});

/**
 * Creates a dashboard user for a merchant. Without a password one is generated and
 * returned once (only its scrypt hash is kept).
 */
export async function createDashboardUser(
  store: Store,
  clock: Clock,
  input: z.input<typeof newUserSchema>,
): Promise<{ user: DashboardUserRow; password: string; generated: boolean }> {
  const o = newUserSchema.parse(input);
  const merchant = await store.read((tx) => tx.merchants.get(o.merchantId));
  if (!merchant) throw new Error(`no merchant ${o.merchantId}`);
  const password = o.password ?? generatePassword();
  const user: DashboardUserRow = {
    id: newId('usr'),
    merchantId: o.merchantId,
    email: o.email,
    passwordHash: await hashPassword(password),
    role: o.role,
    mustChangePassword: o.password === undefined,
    createdAt: clock.now(),
  };
  if (!(await store.transaction((tx) => tx.users.insert(user)))) {
    throw new Error(`${o.email} already has a dashboard account`);
  }
  return { user, password, generated: o.password === undefined };
}
