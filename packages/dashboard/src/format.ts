import { formatAmount } from '@kassa/protocol/format';

export const money = (amount: number, currency: string, intl: string) =>
  formatAmount(amount, currency, intl);

/** 4 Dec 2026, 07:55 in the viewer's time zone. */
export const when = (seconds: number, intl: string) =>
  new Intl.DateTimeFormat(intl, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(seconds * 1000),
  );

/** A payment's status as a merchant reads it: a succeeded payment given back in part or
 * in full says so (as Stripe's and Razorpay's dashboards do). */
export const shownStatus = (p: {
  status: string;
  amount_received: number;
  amount_refunded: number;
}) =>
  p.status === 'succeeded' && p.amount_refunded > 0
    ? p.amount_refunded >= p.amount_received
      ? 'refunded'
      : 'partially_refunded'
    : p.status;

/** An attempt the shopper left (or another attempt replaced) ended `failed` with the
 * decline code `abandoned`: withdrawn, not declined. */
export const attemptShown = (a: { status: string; decline_code: string | null }) =>
  a.status === 'failed' && a.decline_code === 'abandoned' ? 'withdrawn' : a.status;
