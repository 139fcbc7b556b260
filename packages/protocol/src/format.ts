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
