import { en, type Strings } from './locales/en.ts';

export type { Strings };

/** The page's languages: English with the page, the others a chunk each. */
const LOCALES: Record<string, { load: () => Promise<Strings>; intl: string }> = {
  en: { load: async () => en, intl: 'en-US' },
  hi: { load: async () => (await import('./locales/hi.ts')).hi, intl: 'hi-IN' },
};

/** What the shopper reads for an error: the decline code's reason in their language,
 * else the error code's kind; never the server's English message. */
export function reasonOf(
  err: { code?: string | null; decline_code?: string | null } | null | undefined,
  t: Strings,
): string {
  const own = (key: string | null | undefined) =>
    key && Object.hasOwn(t.declines, key) ? t.declines[key] : undefined;
  const code = err?.code ?? '';
  return (
    own(err?.decline_code) ??
    own(code) ??
    (code === 'card_declined'
      ? t.declinedCard
      : code === 'payment_declined' || code === 'payment_intent_authentication_failure'
        ? t.declinedPayment
        : code === 'too_many_attempts'
          ? t.tooManyAttempts
          : code === 'network_error'
            ? t.networkError
            : t.somethingWrong)
  );
}

/** The strings and Intl locale for `locale` (default English, also when another
 * language's chunk cannot be loaded). */
export async function localeOf(
  locale: string | null,
): Promise<{ strings: Strings; intl: string; lang: string }> {
  // Own keys only: `__proto__` or `toString` are not locales.
  const lang = locale && Object.hasOwn(LOCALES, locale) ? locale : 'en';
  const { load, intl } = LOCALES[lang] as (typeof LOCALES)[string];
  try {
    return { strings: await load(), intl, lang };
  } catch {
    return { strings: en, intl: 'en-US', lang: 'en' };
  }
}
