import { CARD_TABLE, type CardPattern, type CardTableRow } from './card-table.ts';
import type { CardBrand } from './payment-method.ts';

/**
 * The one card-brand check, for the payment page (what it shows while the shopper types)
 * and the gateway (what it stores). The table is credit-card-type's (card-validator's),
 * with RuPay added, written out as data by scripts/card-table.mjs; this file is
 * card-validator's `number` check over it, step for step, without the library's registry
 * (adding, reordering, cloning), which was ~2 KB of the page. card.test.ts holds both to
 * the library: the table to the installed version's, the answers to card-validator's for
 * every prefix of up to five digits, every pattern's edges and random numbers.
 */
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

/** A pattern's bounds as digits, made once: `4` is `['4', '4']`, `[51, 55]` `['51', '55']`. */
type Bounds = [lo: string, hi: string];
const ROWS: [CardTableRow, Bounds[]][] = CARD_TABLE.map((row) => [
  row,
  row[2].map((p: CardPattern) =>
    typeof p === 'number' ? [`${p}`, `${p}`] : [`${p[0]}`, `${p[1]}`],
  ),
]);

/**
 * How strongly `digits` match a pattern: -1 not at all, 0 as far as they go (fewer digits
 * than the pattern has), else the pattern's length. The digits are compared with the
 * bounds cut to as many digits (all the same length, so as strings).
 */
function strength(digits: string, [lo, hi]: Bounds): number {
  const head = digits.slice(0, lo.length);
  const n = head.length;
  const hit = head >= lo.slice(0, n) && head <= hi.slice(0, n);
  return !hit ? -1 : n === lo.length ? n : 0;
}

/** The row the digits name: the one that matches, or the strongest when all are decided. */
function rowOf(digits: string): CardTableRow | undefined {
  if (digits === '') return undefined;
  const hits: [CardTableRow, number][] = [];
  for (const [row, patterns] of ROWS) {
    for (const bounds of patterns) {
      const s = strength(digits, bounds);
      if (s >= 0) {
        hits.push([row, s]);
        break;
      }
    }
  }
  if (hits.length > 0 && hits.every(([, s]) => s > 0)) {
    return hits.reduce((best, hit) => (hit[1] > best[1] ? hit : best))[0];
  }
  return hits.length === 1 ? hits[0]?.[0] : undefined;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const d = (digits.charCodeAt(i) - 48) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

const typeOf = (row: CardTableRow | undefined): CardType =>
  row
    ? { brand: row[0], label: row[1], gaps: row[3], lengths: row[4], cvcLength: row[5] }
    : UNKNOWN;

/** A known length for the brand, and Luhn (which UnionPay numbers need not pass). */
const validFor = (row: CardTableRow | undefined, digits: string) =>
  !!row && row[4].includes(digits.length) && (row[0] === 'unionpay' || luhn(digits));

/** The brand of a (possibly partial) number, once its digits say which one. */
export function cardTypeOf(number: string): CardType {
  return typeOf(rowOf(digitsOf(number)));
}

/** A whole number that can be a card: a known length for its brand, and Luhn. */
export function isValidCardNumber(number: string): boolean {
  const digits = digitsOf(number);
  return validFor(rowOf(digits), digits);
}

/** Both at once, for the gateway (one pass through the brand table, not two). */
export function checkCardNumber(number: string): { type: CardType; valid: boolean } {
  const digits = digitsOf(number);
  const row = rowOf(digits);
  return { type: typeOf(row), valid: validFor(row, digits) };
}
