import { describe, expect, it } from 'vitest';
import { localeOf, reasonOf } from './i18n.ts';

const en = (await localeOf('en')).strings;
const hi = (await localeOf('hi')).strings;

describe('localeOf', () => {
  it('knows its locales and falls back to English for anything else, prototype names too', async () => {
    expect((await localeOf('hi')).lang).toBe('hi');
    for (const name of ['__proto__', 'constructor', 'toString', 'xx', null]) {
      expect((await localeOf(name)).lang).toBe('en');
      expect(typeof (await localeOf(name)).strings).toBe('object');
    }
  });
});

describe('reasonOf: why a payment did not go through, in the shopper’s language', () => {
  it('has every decline reason in Hindi, with no English word left in it', () => {
    expect(Object.keys(hi.declines).sort()).toEqual(Object.keys(en.declines).sort());
    for (const text of Object.values(hi.declines)) expect(text).not.toMatch(/[A-Za-z]/);
    for (const key of [
      'declinedCard',
      'declinedPayment',
      'somethingWrong',
      'declinedRetry',
    ] as const) {
      expect(hi[key]).not.toMatch(/[A-Za-z]/);
    }
  });

  it('words the decline code, else the error code, and never echoes the server', () => {
    expect(reasonOf({ code: 'card_declined', decline_code: 'insufficient_funds' }, hi)).toBe(
      'आपके कार्ड में पर्याप्त राशि नहीं है।',
    );
    // 3-D Secure that failed: said once, with no "try again" of its own.
    expect(
      reasonOf(
        { code: 'payment_intent_authentication_failure', decline_code: 'authentication_failed' },
        en,
      ),
    ).toBe('We could not authenticate your payment with your bank.');
    expect(reasonOf({ code: 'card_declined', decline_code: 'issuer_said_no' }, en)).toBe(
      'Your card was declined.',
    );
    expect(reasonOf({ code: 'payment_declined', decline_code: 'unheard_of' }, hi)).toBe(
      'भुगतान अस्वीकार कर दिया गया।',
    );
    expect(reasonOf({ code: 'expired_card' }, hi)).toBe('आपके कार्ड की अवधि समाप्त हो चुकी है।');
    for (const odd of ['__proto__', 'constructor', 'internal_error']) {
      expect(reasonOf({ code: odd, decline_code: odd }, hi)).toBe(hi.somethingWrong);
    }
    expect(reasonOf(null, en)).toBe(en.somethingWrong);
  });
});
