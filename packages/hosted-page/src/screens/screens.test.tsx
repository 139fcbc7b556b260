import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { PageIntent } from '../api.ts';
import { en } from '../locales/en.ts';
import { hi } from '../locales/hi.ts';
import { Ask } from './ask.tsx';
import { Header } from './header.tsx';
import { Failed, Success } from './outcome.tsx';

const intent = (over: Partial<PageIntent> = {}): PageIntent =>
  ({
    id: 'pi_1',
    amount: 1999,
    currency: 'usd',
    status: 'succeeded',
    livemode: false,
    description: 'Five chai',
    merchant: { name: 'Chai & Co', allowed_origins: [] },
    result: { order_id: 'ORDER_7', signature: 'sig' },
    attempts_remaining: 3,
    last_payment_error: null,
    ...over,
  }) as PageIntent;

/** What a shopper reads: the rendered text, tags out. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

describe('the payment page’s screens', () => {
  it('the header names the shop and amount, says test mode, and offers × only in the modal', () => {
    const inModal = render(<Header intent={intent()} amount="$19.99" t={en} onClose={() => {}} />);
    expect(text(inModal)).toBe('Chai & Co $19.99 Five chai Test mode ×');
    expect(inModal).toContain('aria-label="Close"');
    const live = render(
      <Header intent={intent({ livemode: true })} amount="$19.99" t={en} onClose={null} />,
    );
    expect(text(live)).toBe('Chai & Co $19.99 Five chai');
  });

  it('success says what was paid to whom, the order, and what happens next', () => {
    const html = render(<Success intent={intent()} amount="$19.99" t={en} embedded autoClose />);
    expect(text(html)).toContain(en.successBody('$19.99', 'Chai & Co'));
    expect(text(html)).toContain(en.reference('ORDER_7'));
    expect(text(html)).toContain(en.closingSoon);
    const back = render(
      <Success
        intent={intent({ return_url: 'https://shop.test/done' })}
        amount="$19.99"
        t={en}
        embedded={false}
        autoClose
      />,
    );
    expect(text(back)).toContain(en.returning);
  });

  it('a closed payment says why, in the shopper’s language, as an alert', () => {
    const expired = render(<Failed intent={intent({ status: 'expired' })} t={hi} />);
    expect(expired).toContain('role="alert"');
    expect(text(expired)).toContain(hi.expired);
    expect(text(expired)).not.toMatch(/[A-Za-z]/);
    const spent = render(
      <Failed
        intent={intent({
          status: 'requires_payment_method',
          attempts_remaining: 0,
          last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' },
        } as Partial<PageIntent>)}
        t={en}
      />,
    );
    expect(text(spent)).toBe(
      `${en.failed} ${en.declines.insufficient_funds} ${en.tooManyAttempts}`,
    );
  });

  it('asks before closing mid-payment, with keep waiting first', () => {
    const html = render(
      <Ask t={en} keepWaiting={{ current: null }} onKeepWaiting={() => {}} onClose={() => {}} />,
    );
    expect(html).toContain('role="alertdialog"');
    expect(text(html)).toBe(
      `${en.stillConfirming} ${en.stillConfirmingBody} ${en.keepWaiting} ${en.close}`,
    );
  });
});
