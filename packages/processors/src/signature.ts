import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotificationError } from './notification-error.ts';

/** How far a notification's timestamp may be from now. */
const TOLERANCE_MS = 5 * 60 * 1000;

const hmac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * The `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` signature the sandbox and the
 * redirect app put on their notifications (Stripe's scheme, in its simplest form).
 */
export function signNotification(body: string, secret: string, timestampSeconds: number) {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

/** Checks such a signature (in constant time) and its age; throws a NotificationError. */
export function verifyNotification(
  header: string | undefined,
  rawBody: string,
  secret: string,
  now: number,
): void {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) throw new NotificationError('invalid_signature', 'Missing or malformed signature.');
  const t = Number(m[1]);
  const expected = Buffer.from(hmac(secret, t, rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(m[2] as string, 'hex'))) {
    throw new NotificationError('invalid_signature', 'The signature does not match.');
  }
  if (Math.abs(now - t * 1000) > TOLERANCE_MS) {
    throw new NotificationError(
      'notification_too_old',
      'The notification is older than 5 minutes.',
    );
  }
}
