import { minorUnitDigits } from '@kassa/protocol';

/** Stripe's zero-decimal currencies: amounts are whole units. */
const ZERO_DECIMAL = new Set(
  'BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF'.split(' '),
);
/** Three-decimal currencies: Stripe takes three digits but the last must be 0. */
const THREE_DECIMAL = new Set('BHD JOD KWD OMR TND'.split(' '));

/** Digits Stripe's API expects after the point (ISK: two, though it has no minor unit). */
function stripeDigits(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/**
 * Why Stripe cannot charge this amount, or null. Kassa's amounts are in the currency's
 * ISO minor unit; Stripe's three-decimal currencies must end in 0.
 *
 * @example amountProblem(1005, 'KWD') // 'KWD amounts at Stripe must be a multiple of 10 …'
 */
export function amountProblem(amount: number, currency: string): string | null {
  if (THREE_DECIMAL.has(currency.toUpperCase()) && amount % 10 !== 0) {
    return `${currency.toUpperCase()} amounts at Stripe must be a multiple of 10 (0.010); ${amount} is not.`;
  }
  return null;
}

/**
 * Kassa's amount (ISO minor units) as Stripe's API wants it.
 * @example toStripeAmount(500, 'ISK') // 50000
 * @example toStripeAmount(500, 'JPY') // 500
 */
export function toStripeAmount(amount: number, currency: string): number {
  return amount * 10 ** (stripeDigits(currency) - minorUnitDigits(currency));
}

/** Stripe's amount back in Kassa's ISO minor units. */
export function fromStripeAmount(amount: number, currency: string): number {
  return Math.round(amount / 10 ** (stripeDigits(currency) - minorUnitDigits(currency)));
}
