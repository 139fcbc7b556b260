// Writes src/card-table.ts: credit-card-type's brand table (card-validator's), with RuPay
// added, as compact data the payment page and the gateway share. The library stays the
// source: card.test.ts fails when the written table differs from what this derives from the
// installed version, and checks the matcher in card.ts against card-validator itself.
//   node packages/protocol/scripts/card-table.mjs
import { writeFileSync } from 'node:fs';
import types from 'credit-card-type';

/** RuPay, which the library lacks. Its ranges overlap Discover's and Maestro's, so it is tested first. */
export const RUPAY = {
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
};

/** The library's type names as Kassa's brands; the rest are `unknown`, shown without a name. */
export const BRAND_OF = {
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

/** The library configured as Kassa uses it: RuPay added, first. */
export function configuredLibrary() {
  types.resetModifications();
  types.addCard(RUPAY);
  types.changeOrder('rupay', 0);
  return types;
}

/** [brand, label, patterns, gaps, lengths, CVC digits], in the order they are tested. */
export function tableFromLibrary() {
  const lib = configuredLibrary();
  for (const c of lib('')) {
    for (const p of c.patterns) {
      // card.ts compares a range's bounds as strings of digits, so they must be as long.
      if (Array.isArray(p) && String(p[0]).length !== String(p[1]).length) {
        throw new Error(`${c.type}: the range ${p} has bounds of different lengths`);
      }
    }
  }
  return lib('').map((c) => [
    BRAND_OF[c.type] ?? 'unknown',
    BRAND_OF[c.type] ? c.niceType : '',
    c.patterns,
    c.gaps,
    c.lengths,
    c.code.size,
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = tableFromLibrary().map((r) => `  ${JSON.stringify(r)},`);
  writeFileSync(
    new URL('../src/card-table.ts', import.meta.url),
    `// Written by scripts/card-table.mjs from credit-card-type's table, with RuPay added: do not
// edit. card.test.ts fails when it differs from the installed library's.
import type { CardBrand } from './payment-method.ts';

export type CardPattern = number | [min: number, max: number];
export type CardTableRow = [
  brand: CardBrand,
  label: string,
  patterns: CardPattern[],
  gaps: number[],
  lengths: number[],
  cvcLength: number,
];

/** Tested in this order; a longer matching pattern wins over an earlier, shorter one. */
export const CARD_TABLE: CardTableRow[] = [
${rows.join('\n')}
];
`,
  );
}
