import { describe, expect, it } from 'vitest';
import { brandOf, formatExpiry, formatNumber, parseExpiry, validNumber } from './card.ts';

describe("the card form's input handling", () => {
  it('groups numbers by brand and stops at the longest length', () => {
    expect(formatNumber('4242424242424242')).toBe('4242 4242 4242 4242');
    expect(formatNumber('378282246310005')).toBe('3782 822463 10005');
    expect(formatNumber('4242-4242 42')).toBe('4242 4242 42');
    expect(formatNumber('6521500000000006999')).toBe('6521 5000 0000 0006');
  });

  it('shows RuPay as RuPay, as the gateway stores it', () => {
    expect(brandOf('6521 50')).toMatchObject({ brand: 'rupay', label: 'RuPay' });
    expect(validNumber('6521 5000 0000 0006')).toBe(true);
    expect(validNumber('4242 4242 4242 4241')).toBe(false);
  });

  it('formats and reads the expiry, refusing the past and nonsense', () => {
    expect(formatExpiry('1')).toBe('1');
    expect(formatExpiry('4')).toBe('04 / ');
    expect(formatExpiry('1228')).toBe('12 / 28');
    expect(formatExpiry('12', true)).toBe('12');
    const now = new Date(2026, 10, 22);
    expect(parseExpiry('12 / 28', now)).toEqual({ month: 12, year: 2028 });
    expect(parseExpiry('11 / 26', now)).toEqual({ month: 11, year: 2026 });
    expect(parseExpiry('10 / 26', now)).toBe('errExpired');
    expect(parseExpiry('13 / 28', now)).toBe('errExpiry');
    expect(parseExpiry('12 / 2', now)).toBe('errExpiry');
    expect(parseExpiry('12 / 99', now)).toBe('errExpiry');
  });
});
