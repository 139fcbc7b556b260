import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '@kassa/protocol';

export const hashSecret = (key: string) => createHash('sha256').update(key).digest('hex');

/** Compares two strings in time that does not depend on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

export function generateKeyPair(livemode: boolean) {
  const mode = livemode ? 'live' : 'test';
  return {
    publishable: `pk_${mode}_${randomToken(24)}`,
    secret: `sk_${mode}_${randomToken(32)}`,
  };
}

/** What kind of key a string claims to be, from its prefix alone. */
export function keyKind(key: string): { kind: 'publishable' | 'secret'; livemode: boolean } | null {
  const m = /^(pk|sk)_(test|live)_[A-Za-z0-9]+$/.exec(key);
  if (!m) return null;
  return { kind: m[1] === 'pk' ? 'publishable' : 'secret', livemode: m[2] === 'live' };
}

/** Whether a key still opens the API at `now`: never revoked, or revoked for a time still
 * to come (the grace period of a rolled secret key). */
export const keyLive = (row: { revokedAt: number | null }, now: number) =>
  row.revokedAt === null || row.revokedAt > now;
