/** A plural form chosen by the language's own rules (`Intl.PluralRules`). */
export const plural = (
  locale: string,
  n: number,
  forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string },
) => forms[new Intl.PluralRules(locale).select(n)] ?? forms.other;
