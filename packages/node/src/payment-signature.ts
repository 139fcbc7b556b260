import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature checkout.js passes to `onSuccess`: hex HMAC-SHA256 of
 * `order_id|payment_intent_id`, keyed with the SHA-256 (hex) of your secret key (the
 * gateway keeps only that hash). Check it on your server before trusting the browser;
 * the webhook remains the source of truth.
 */
export function paymentSignature(
  orderId: string,
  paymentIntentId: string,
  secretKey: string,
): string {
  const key = createHash('sha256').update(secretKey).digest('hex');
  return createHmac('sha256', key).update(`${orderId}|${paymentIntentId}`).digest('hex');
}

/**
 * @example
 * const ok = verifyPaymentSignature(req.body, process.env.KASSA_SECRET_KEY);
 * // req.body: { order_id, payment_intent_id, signature } from onSuccess
 */
export function verifyPaymentSignature(
  result: { order_id: string; payment_intent_id: string; signature: string },
  secretKey: string,
): boolean {
  const expected = Buffer.from(
    paymentSignature(result.order_id, result.payment_intent_id, secretKey),
    'hex',
  );
  const given = Buffer.from(String(result.signature), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
