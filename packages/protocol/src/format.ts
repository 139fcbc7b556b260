/**
 * Money formatting with `Intl` alone (no schema library), so browser code can use it.
 */

/**
 * Digits after the decimal point of a currency, from `Intl`.
 * @example minorUnitDigits('JPY') // 0
 * @example minorUnitDigits('KWD') // 3
 */
export function minorUnitDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/**
 * Formats an amount in minor units for display.
 * @example formatAmount(1999, 'EUR', 'de-DE') // '19,99 €'
 */
export function formatAmount(amount: number, currency: string, locale = 'en'): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    amount / 10 ** digits,
  );
}

let known: Set<string> | undefined;

/** True for an upper-case ISO 4217 code that `Intl` knows. */
export function isKnownCurrency(code: string): boolean {
  known ??= new Set(Intl.supportedValuesOf('currency'));
  return /^[A-Z]{3}$/.test(code) && known.has(code);
}

/**
 * An amount typed in the currency's major unit, in minor units; null unless it is a
 * non-negative number with at most the currency's decimals (a comma may stand for the
 * point). Exact: no floating point, so "12.345" in rupees is refused, not rounded.
 * @example parseAmount('25.5', 'INR') // 2550
 * @example parseAmount('500', 'JPY') // 500
 */
export function parseAmount(value: string, currency: string): number | null {
  const digits = minorUnitDigits(currency);
  const m = /^(\d{1,9})(?:[.,](\d*))?$/.exec(value.trim());
  if (!m || (m[2] ?? '').length > digits) return null;
  return Number(m[1]) * 10 ** digits + Number((m[2] ?? '').padEnd(digits, '0') || 0);
}
