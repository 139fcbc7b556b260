import { describe, expect, it } from 'vitest';
import { cardTypeOf, checkCardNumber, isValidCardNumber } from './card.ts';

describe('the one card-brand table', () => {
  it('knows RuPay, whose ranges overlap Discover and Maestro', () => {
    for (const n of [
      '6521500000000006',
      '6070000000000002',
      '5085000000000007',
      '6069850000000003',
    ]) {
      expect(cardTypeOf(n).brand, n).toBe('rupay');
      expect(isValidCardNumber(n), n).toBe(true);
    }
    expect(cardTypeOf('6011111111111117').brand).toBe('discover');
    expect(cardTypeOf('6520000000000004').brand).toBe('discover');
  });

  it("names the sandbox's test cards as the README does, with their lengths and CVC sizes", () => {
    expect(cardTypeOf('4242 4242 4242 4242')).toMatchObject({
      brand: 'visa',
      label: 'Visa',
      cvcLength: 3,
    });
    expect(cardTypeOf('5555555555554444').brand).toBe('mastercard');
    expect(cardTypeOf('378282246310005')).toMatchObject({
      brand: 'amex',
      cvcLength: 4,
      gaps: [4, 10],
    });
    expect(cardTypeOf('30569309025904').brand).toBe('diners');
    expect(cardTypeOf('3566002020360505').brand).toBe('jcb');
    expect(cardTypeOf('6200000000000005').brand).toBe('unionpay');
  });

  it('says unknown until the digits decide, and checks length and Luhn', () => {
    expect(cardTypeOf('').brand).toBe('unknown');
    expect(cardTypeOf('42').brand).toBe('visa');
    expect(isValidCardNumber('4242424242424241')).toBe(false);
    expect(isValidCardNumber('424242424242')).toBe(false);
  });

  it('answers brand and validity in one pass as the two checks do apart', () => {
    for (const n of [
      '4242424242424242',
      '4242424242424241',
      '378282246310005',
      '6521500000000006',
      '4',
      '',
    ]) {
      expect(checkCardNumber(n), n).toEqual({ type: cardTypeOf(n), valid: isValidCardNumber(n) });
    }
  });
});
