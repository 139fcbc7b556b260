import { describe, expect, it } from 'vitest';
import { formatAmount, isKnownCurrency, parseAmount } from './format.ts';

describe('amounts typed by a person', () => {
  it('reads the major unit exactly, with the currency’s decimals and no more', () => {
    expect(parseAmount('25.5', 'INR')).toBe(2550);
    expect(parseAmount(' 25,50 ', 'INR')).toBe(2550);
    expect(parseAmount('0.1', 'INR')).toBe(10);
    expect(parseAmount('500', 'JPY')).toBe(500);
    expect(parseAmount('1.234', 'KWD')).toBe(1234);
    // What the page shows comes back as the same amount.
    expect(parseAmount(formatAmount(123456, 'INR', 'en').replace(/[^\d.]/g, ''), 'INR')).toBe(
      123456,
    );
    for (const bad of ['12.345', '-5', '1e3', '₹5', '', '5.5.5', '5.5']) {
      const currency = bad === '5.5' ? 'JPY' : 'INR';
      expect(parseAmount(bad, currency), `${bad} ${currency}`).toBeNull();
    }
  });

  it('knows ISO currencies and nothing else', () => {
    expect(isKnownCurrency('INR')).toBe(true);
    expect(isKnownCurrency('inr')).toBe(false);
    expect(isKnownCurrency('XYZ')).toBe(false);
  });
});
