import { formatAmount } from '@kassa/protocol/format';

export const money = (amount: number, currency: string, intl: string) =>
  formatAmount(amount, currency, intl);

/** 4 Dec 2026, 07:55 in the viewer's time zone. */
export const when = (seconds: number, intl: string) =>
  new Intl.DateTimeFormat(intl, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(seconds * 1000),
  );
