// card-validator's number check alone (its other checks would only weigh on the page),
// and credit-card-type, the table it reads: one instance, the one configured here.
import { cardNumber } from 'card-validator/dist/card-number.js';
import types from 'credit-card-type';
import type { CardBrand } from './payment-method.ts';

/**
 * The one card-brand table, for the payment page (what it shows while the shopper types)
 * and the gateway (what it stores): card-validator's, with RuPay added. RuPay's ranges
 * overlap Discover's and Maestro's, so it is tested first.
 */
types.addCard({
  niceType: 'RuPay',
  type: 'rupay',
  patterns: [
    [508500, 508999],
    [606985, 607984],
    [608001, 608500],
    [652150, 653149],
  ],
  gaps: [4, 8, 12],
  lengths: [16],
  code: { name: 'CVV', size: 3 },
});
types.changeOrder('rupay', 0);

/** card-validator's type names as Kassa's brands; the rest are `unknown`. */
const BRAND_OF: Record<string, CardBrand> = {
  visa: 'visa',
  mastercard: 'mastercard',
  'american-express': 'amex',
  discover: 'discover',
  'diners-club': 'diners',
  jcb: 'jcb',
  unionpay: 'unionpay',
  maestro: 'maestro',
  rupay: 'rupay',
};

export interface CardType {
  brand: CardBrand;
  /** What to show: `Visa`, `RuPay`; empty while unknown. */
  label: string;
  /** Where the number's groups break, e.g. 4-4-4-4 or Amex's 4-6-5. */
  gaps: number[];
  lengths: number[];
  cvcLength: number;
}

const UNKNOWN: CardType = {
  brand: 'unknown',
  label: '',
  gaps: [4, 8, 12],
  lengths: [12, 13, 14, 15, 16, 17, 18, 19],
  cvcLength: 3,
};

export const digitsOf = (s: string) => s.replace(/\D/g, '');

type Verdict = ReturnType<typeof cardNumber>;

function typeOf(card: Verdict['card']): CardType {
  if (!card) return UNKNOWN;
  return {
    brand: BRAND_OF[card.type] ?? 'unknown',
    label: BRAND_OF[card.type] ? card.niceType : '',
    gaps: card.gaps,
    lengths: card.lengths,
    cvcLength: card.code.size,
  };
}

/** The brand of a (possibly partial) number, once its digits say which one. */
export function cardTypeOf(number: string): CardType {
  return typeOf(cardNumber(digitsOf(number)).card);
}

/** A whole number that can be a card: a known length for its brand, and Luhn. */
export function isValidCardNumber(number: string): boolean {
  return cardNumber(digitsOf(number)).isValid;
}

/** Both at once, for the gateway (one pass through the brand table, not two). */
export function checkCardNumber(number: string): { type: CardType; valid: boolean } {
  const verdict = cardNumber(digitsOf(number));
  return { type: typeOf(verdict.card), valid: verdict.isValid };
}
