import { cardNumber } from 'card-validator/dist/card-number.js';
import { describe, expect, it } from 'vitest';
import { BRAND_OF, configuredLibrary, tableFromLibrary } from '../scripts/card-table.mjs';
import { cardTypeOf, checkCardNumber, isValidCardNumber } from './card.ts';
import { CARD_TABLE } from './card-table.ts';

/** What card-validator itself says, over credit-card-type configured as the table is. */
function library(digits: string) {
  configuredLibrary();
  const { card, isValid } = cardNumber(digits);
  const known = card ? (BRAND_OF as Record<string, string>)[card.type] : undefined;
  return {
    type: card
      ? {
          brand: known ?? 'unknown',
          label: known ? card.niceType : '',
          gaps: card.gaps,
          lengths: card.lengths,
          cvcLength: card.code.size,
        }
      : cardTypeOf(''),
    valid: isValid,
  };
}

/** A number that passes Luhn, from its first digits and length. */
function withCheckDigit(head: string): string {
  for (let d = 0; d < 10; d++) if (isLuhn(head + d)) return head + d;
  throw new Error('unreachable');
}
function isLuhn(s: string): boolean {
  let sum = 0;
  [...s].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return sum % 10 === 0;
}

describe("the card table is credit-card-type's", () => {
  it('as the installed library has it (run scripts/card-table.mjs after upgrading it)', () => {
    expect(CARD_TABLE).toEqual(tableFromLibrary());
  });

  it('and the check answers as card-validator does', () => {
    const numbers: string[] = [''];
    // Every prefix of up to five digits: what the page shows while the shopper types.
    for (let len = 1; len <= 5; len++) {
      for (let i = 0; i < 10 ** len; i++) numbers.push(String(i).padStart(len, '0'));
    }
    // Each pattern's bounds and their neighbours, as prefixes and as whole numbers of
    // every length the row allows, with and without a valid check digit.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const fill = (head: string, len: number) => {
      let s = head;
      while (s.length < len - 1) s += String(random(10));
      return s;
    };
    for (const [, , patterns, , lengths] of CARD_TABLE) {
      for (const p of patterns) {
        for (const bound of typeof p === 'number' ? [p] : p) {
          for (const edge of [bound - 1, bound, bound + 1]) {
            numbers.push(String(edge));
            for (const len of [...lengths, 12, 19, 20]) {
              const head = fill(String(edge), len);
              numbers.push(
                withCheckDigit(head),
                `${head}${(Number(withCheckDigit(head).at(-1)) + 1) % 10}`,
              );
            }
          }
        }
      }
    }
    for (let i = 0; i < 20_000; i++) numbers.push(fill(String(random(10)), 13 + random(8)));
    for (const n of numbers) {
      const ours = checkCardNumber(n);
      if (JSON.stringify(ours) !== JSON.stringify(library(n))) {
        expect(ours, n).toEqual(library(n));
      }
    }
    expect(numbers.length).toBeGreaterThan(130_000);
  });
});

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
