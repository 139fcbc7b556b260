import { z } from 'zod';

import { isKnownCurrency } from './format.ts';

export { formatAmount, isKnownCurrency, minorUnitDigits, parseAmount } from './format.ts';

/** A currency code: three letters, normalised to upper case, known to ISO 4217. */
export const currencySchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code, such as USD or INR' })
  .meta({ description: 'ISO 4217 currency code', example: 'USD' });

/** The largest amount accepted, in minor units (Stripe's limit for most currencies). */
export const MAX_AMOUNT = 99_999_999;

/** An amount in the currency's minor unit (cents, paise, yen): a positive integer. */
export const amountSchema = z
  .number({ error: 'must be an integer number of minor units' })
  .int('must be an integer number of minor units (for example 1999 for 19.99)')
  .min(1, 'must be at least 1')
  .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)
  .meta({ description: 'Amount in minor units of the currency', example: 1999 });
