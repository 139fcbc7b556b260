import { NotificationError } from '../notification-error.ts';
import type { ProcessorNotification, ProcessorOutcome } from '../processor.ts';
import { signNotification, verifyNotification } from '../signature.ts';

export const SANDBOX_SIGNATURE_HEADER = 'kassa-sandbox-signature';

/**
 * Signs a sandbox notification the way the sandbox "processor" would:
 * `kassa-sandbox-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 */
export function signSandboxNotification(body: string, secret: string, timestampSeconds: number) {
  return signNotification(body, secret, timestampSeconds);
}

/** Verifies signature and age (5 minutes), then parses `{ id, reference, outcome }`. */
export function parseSandboxNotification(
  req: { headers: Record<string, string>; rawBody: string; now: number },
  secret: string,
): ProcessorNotification {
  verifyNotification(req.headers[SANDBOX_SIGNATURE_HEADER], req.rawBody, secret, req.now);
  let parsed: { id?: unknown; reference?: unknown; outcome?: { status?: unknown } };
  try {
    parsed = JSON.parse(req.rawBody);
  } catch {
    throw new NotificationError('malformed_notification', 'The body is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null) parsed = {};
  const statuses = ['succeeded', 'authorized', 'processing', 'failed'];
  if (
    typeof parsed.id !== 'string' ||
    parsed.id.length > 255 ||
    typeof parsed.reference !== 'string' ||
    parsed.reference.length > 1000 ||
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
  return { kind: 'payment', id: parsed.id, reference: parsed.reference, outcome };
}
