/**
 * Card checks for the form: grouping, expiry and CVC. The brand, its lengths and Luhn come
 * from the one table the gateway uses too (`@kassa/protocol/card`); the gateway checks
 * again.
 */
import { type CardType, cardTypeOf, digitsOf, isValidCardNumber } from '@kassa/protocol/card';

export { digitsOf };
export type Brand = CardType;
export const brandOf = cardTypeOf;

/** `4242424242424242` → `4242 4242 4242 4242`, Amex as 4-6-5. */
export function formatNumber(value: string): string {
  const brand = brandOf(value);
  const d = digitsOf(value).slice(0, Math.max(...brand.lengths));
  let out = '';
  for (let i = 0; i < d.length; i++) {
    if (brand.gaps.includes(i)) out += ' ';
    out += d[i];
  }
  return out;
}

export const validNumber = isValidCardNumber;

/** `1` → `1`, `12` → `12 / `, `1228` → `12 / 28`. */
export function formatExpiry(value: string, deleting = false): string {
  let d = digitsOf(value).slice(0, 4);
  if (d.length === 1 && Number(d) > 1) d = `0${d}`;
  if (d.length >= 2 && !deleting) return `${d.slice(0, 2)} / ${d.slice(2)}`;
  return d.length > 2 ? `${d.slice(0, 2)} / ${d.slice(2)}` : d;
}

/** `{ month, year }` or an error key. */
export function parseExpiry(
  value: string,
  now = new Date(),
): { month: number; year: number } | 'errExpiry' | 'errExpired' {
  const d = digitsOf(value);
  if (d.length !== 4) return 'errExpiry';
  const month = Number(d.slice(0, 2));
  const year = 2000 + Number(d.slice(2));
  if (month < 1 || month > 12) return 'errExpiry';
  const y = now.getFullYear();
  if (year < y || (year === y && month < now.getMonth() + 1)) return 'errExpired';
  if (year > y + 20) return 'errExpiry';
  return { month, year };
}
