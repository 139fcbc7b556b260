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
 * Stripe's minimum charge per presentment currency, in Kassa's minor units (Stripe's
 * "Minimum and maximum charge amounts" table; a currency it does not list has the
 * minimum of the account's settlement currency, which only Stripe knows).
 */
export const STRIPE_MINIMUMS: Readonly<Record<string, number>> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** Stripe takes at most eight digits in its own unit (99999999). */
const STRIPE_MAX = 99_999_999;

/**
 * Why Stripe cannot charge this amount, or null: under Stripe's minimum for the currency,
 * over its eight digits, or (three-decimal currencies) not ending in 0. Kassa's amounts
 * are in the currency's ISO minor unit.
 *
 * @example amountProblem(1005, 'KWD') // 'KWD amounts at Stripe must be a multiple of 10 …'
 * @example amountProblem(20, 'USD') // 'Stripe charges at least 50 (USD 0.50) …'
 */
export function amountProblem(amount: number, currency: string): string | null {
  const c = currency.toUpperCase();
  if (THREE_DECIMAL.has(c) && amount % 10 !== 0) {
    return `${c} amounts at Stripe must be a multiple of 10 (0.010); ${amount} is not.`;
  }
  const min = STRIPE_MINIMUMS[c];
  if (min !== undefined && amount < min) {
    const digits = minorUnitDigits(c);
    return `Stripe charges at least ${min} (${c} ${(min / 10 ** digits).toFixed(digits)}); ${amount} is less.`;
  }
  if (toStripeAmount(amount, c) > STRIPE_MAX) {
    return `Stripe charges at most ${STRIPE_MAX} of its ${c} unit in one payment; ${amount} is more.`;
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
