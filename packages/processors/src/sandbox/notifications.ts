import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotificationError } from '../notification-error.ts';
import type { ProcessorNotification, ProcessorOutcome } from '../processor.ts';

export const SANDBOX_SIGNATURE_HEADER = 'kassa-sandbox-signature';
const TOLERANCE_MS = 5 * 60 * 1000;

const hmac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * Signs a sandbox notification the way the sandbox "processor" would:
 * `kassa-sandbox-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
export function signSandboxNotification(body: string, secret: string, timestampSeconds: number) {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

/** Verifies signature and age (5 minutes), then parses `{ id, reference, outcome }`. */
export function parseSandboxNotification(
  req: { headers: Record<string, string>; rawBody: string; now: number },
  secret: string,
): ProcessorNotification {
  const header = req.headers[SANDBOX_SIGNATURE_HEADER];
  const m = header ? /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (!m) throw new NotificationError('invalid_signature', 'Missing or malformed signature.');
  const timestamp = Number(m[1]);
  const expected = Buffer.from(hmac(secret, timestamp, req.rawBody), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(m[2] as string, 'hex'))) {
    throw new NotificationError('invalid_signature', 'The signature does not match.');
  }
  if (Math.abs(req.now - timestamp * 1000) > TOLERANCE_MS) {
    throw new NotificationError(
      'notification_too_old',
      'The notification is older than 5 minutes.',
    );
  }
  let parsed: { id?: unknown; reference?: unknown; outcome?: { status?: unknown } };
  try {
    parsed = JSON.parse(req.rawBody);
  } catch {
    throw new NotificationError('malformed_notification', 'The body is not JSON.');
  }
  const statuses = ['succeeded', 'authorized', 'processing', 'failed'];
  if (
    typeof parsed.id !== 'string' ||
    typeof parsed.reference !== 'string' ||
    !statuses.includes(String(parsed.outcome?.status))
  ) {
    throw new NotificationError(
      'malformed_notification',
      'Expected { id, reference, outcome: { status } }.',
    );
  }
  const outcome = {
    ...(parsed.outcome as object),
    reference: parsed.reference,
  } as ProcessorOutcome;
  if (outcome.status === 'failed') {
    outcome.declineCode ||= 'generic_decline';
    outcome.message ||= 'The payment was declined.';
  }
  return { id: parsed.id, reference: parsed.reference, outcome };
}
