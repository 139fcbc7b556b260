import { createHmac } from 'node:crypto';
import type { ClientPaymentIntent, PaymentIntent } from '@kassa/protocol';
import { intentIs } from '@kassa/protocol';
import type { IntentRow, MerchantRow } from '../store/types.ts';

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The merchant's view of an intent, as the API returns it and events snapshot it. */
export function toPaymentIntent(row: IntentRow, publicUrl: string): PaymentIntent {
  return {
    id: row.id,
    object: 'payment_intent',
    livemode: row.livemode,
    amount: row.amount,
    amount_capturable: row.amountCapturable,
    amount_received: row.amountReceived,
    amount_refunded: row.amountRefunded,
    currency: row.currency,
    status: row.status,
    order_id: row.orderId,
    description: row.description,
    customer: row.customer,
    metadata: row.metadata,
    capture_method: row.captureMethod,
    payment_method_types: row.paymentMethodTypes,
    client_secret: row.clientSecret,
    checkout_url: `${publicUrl}/pay/${row.id}#${row.clientSecret}`,
    return_url: row.returnUrl,
    last_payment_error: row.lastPaymentError,
    next_action: row.nextAction,
    latest_attempt: row.latestAttemptId,
    failed_attempts: row.failedAttempts,
    cancellation_reason: row.cancellationReason,
    canceled_at: row.canceledAt === null ? null : seconds(row.canceledAt),
    expires_at: seconds(row.expiresAt),
    created: seconds(row.createdAt),
  };
}

/**
 * The signature checkout.js hands to `onSuccess`: hex HMAC-SHA256 of
 * `order_id|payment_intent_id`, keyed with the SHA-256 (hex) of the merchant's secret key,
 * which is what the gateway stores. `@kassa/node`'s verifyPaymentSignature checks it.
 */
export function paymentSignature(orderId: string, intentId: string, secretHash: string): string {
  return createHmac('sha256', secretHash).update(`${orderId}|${intentId}`).digest('hex');
}

/**
 * What a shopper's browser may see: no metadata, customer or secrets. Once paid, the
 * order id and the signature for `onSuccess` are added as `result`.
 */
export function toClientIntent(
  row: IntentRow,
  merchant: MerchantRow,
  maxAttempts: number,
  secretHash?: string | null,
  processorFields: ClientPaymentIntent['processor_fields'] = {},
): ClientPaymentIntent {
  const paid = intentIs.paid(row.status);
  return {
    id: row.id,
    object: 'client_payment_intent',
    livemode: row.livemode,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    description: row.description,
    payment_method_types: row.paymentMethodTypes,
    last_payment_error: row.lastPaymentError,
    next_action: row.nextAction,
    expires_at: seconds(row.expiresAt),
    return_url: row.returnUrl,
    merchant: {
      name: merchant.name,
      allowed_origins: merchant.allowedOrigins,
      upi_collect: merchant.upiCollect,
    },
    attempts_remaining: Math.max(0, maxAttempts - row.failedAttempts),
    processor_fields: processorFields,
    ...(paid && secretHash
      ? {
          result: {
            order_id: row.orderId,
            signature: paymentSignature(row.orderId, row.id, secretHash),
          },
        }
      : {}),
  };
}
