import { createHmac } from 'node:crypto';
import type { CardBrand, CardDetails } from '@kassa/protocol';
import { checkCardNumber } from '@kassa/protocol/card';
import { ApiError } from '../http/api-error.ts';

export interface CardSummary {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  /** HMAC of the number under the gateway's key: the same card gives the same value. */
  fingerprint: string;
}

const cardError = (code: string, message: string, param: string) =>
  new ApiError(402, code, message, { type: 'card_error', param });

/**
 * Checks what can be checked without a processor (Luhn, length, expiry, CVC length by
 * brand) and returns the only card data the gateway keeps.
 */
export function summariseCard(card: CardDetails, now: number, fingerprintKey: string): CardSummary {
  const { type, valid } = checkCardNumber(card.number);
  if (!valid) {
    throw cardError(
      'incorrect_number',
      'Your card number is incorrect.',
      'payment_method[card][number]',
    );
  }
  const today = new Date(now);
  const expired =
    card.exp_year < today.getUTCFullYear() ||
    (card.exp_year === today.getUTCFullYear() && card.exp_month < today.getUTCMonth() + 1);
  if (expired) {
    throw cardError(
      'invalid_expiry_year',
      "Your card's expiration date is in the past.",
      'payment_method[card][exp_year]',
    );
  }
  const cvcSize = type.cvcLength;
  if (card.cvc.length !== cvcSize) {
    throw cardError(
      'invalid_cvc',
      `Your card's security code should be ${cvcSize} digits.`,
      'payment_method[card][cvc]',
    );
  }
  return {
    brand: type.brand,
    last4: card.number.slice(-4),
    expMonth: card.exp_month,
    expYear: card.exp_year,
    fingerprint: createHmac('sha256', fingerprintKey)
      .update(card.number)
      .digest('base64url')
      .slice(0, 16),
  };
}
