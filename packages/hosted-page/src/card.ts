/**
 * Card checks for the form: brand from the number's prefix, Luhn, grouping, expiry and
 * CVC length. Small on purpose (the page has a 30 KB budget); the gateway checks again.
 */
export interface Brand {
  id:
    | 'visa'
    | 'mastercard'
    | 'amex'
    | 'discover'
    | 'diners'
    | 'jcb'
    | 'unionpay'
    | 'rupay'
    | 'unknown';
  label: string;
  gaps: number[];
  lengths: number[];
  cvc: number;
}

const B = (
  id: Brand['id'],
  label: string,
  lengths: number[],
  cvc = 3,
  gaps = [4, 8, 12],
): Brand => ({ id, label, lengths, cvc, gaps });

const BRANDS: [RegExp, Brand][] = [
  [/^3[47]/, B('amex', 'American Express', [15], 4, [4, 10])],
  [/^3(0[0-5]|[689])/, B('diners', 'Diners Club', [14, 16, 19], 3, [4, 10])],
  [/^(508[5-9]|60(69|70|8[0-5])|65(2[1-9]|30))/, B('rupay', 'RuPay', [16])],
  [/^(6011|64[4-9]|65)/, B('discover', 'Discover', [16, 19])],
  [/^35(2[89]|[3-8])/, B('jcb', 'JCB', [16, 17, 18, 19])],
  [/^62/, B('unionpay', 'UnionPay', [16, 17, 18, 19])],
  [/^(5[1-5]|2(2[2-9]|[3-6]|7[01]|720))/, B('mastercard', 'Mastercard', [16])],
  [/^4/, B('visa', 'Visa', [13, 16, 19])],
];
const UNKNOWN = B('unknown', '', [12, 13, 14, 15, 16, 17, 18, 19]);

export const digitsOf = (s: string) => s.replace(/\D/g, '');

export function brandOf(number: string): Brand {
  const d = digitsOf(number);
  return BRANDS.find(([re]) => re.test(d))?.[1] ?? UNKNOWN;
}

export function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return d.length > 0 && sum % 10 === 0;
}

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

export function validNumber(value: string): boolean {
  const d = digitsOf(value);
  return brandOf(d).lengths.includes(d.length) && luhn(d);
}

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
