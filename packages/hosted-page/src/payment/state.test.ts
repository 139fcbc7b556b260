import { describe, expect, it } from 'vitest';
import type { PageIntent } from '../api.ts';
import { busy, initialState, type PaymentState, paymentReducer, screenOf } from './state.ts';

const intent = (over: Partial<PageIntent> = {}): PageIntent =>
  ({
    id: 'pi_1',
    object: 'payment_intent',
    amount: 1999,
    currency: 'usd',
    status: 'requires_payment_method',
    livemode: false,
    payment_method_types: ['card', 'upi'],
    attempts_remaining: 3,
    last_payment_error: null,
    next_action: null,
    merchant: { name: 'Chai & Co', allowed_origins: [] },
    ...over,
  }) as PageIntent;

const HERE = '/pay/pi_1';
const run = (...actions: Parameters<typeof paymentReducer>[1][]) =>
  actions.reduce<PaymentState>(paymentReducer, initialState());

describe('the payment page as a state machine', () => {
  it('loads, then offers the form with the first method', () => {
    expect(screenOf(initialState(), HERE)).toBe('loading');
    const s = run({ type: 'loaded', intent: intent({ payment_method_types: ['upi', 'card'] }) });
    expect(s.method).toBe('upi');
    expect(screenOf(s, HERE)).toBe('form');
    expect(screenOf(run({ type: 'load_failed', message: 'gone' }), HERE)).toBe('load_error');
  });

  it('a decline keeps the form with its reason; editing clears it; a new payment clears it', () => {
    const declined = run(
      { type: 'loaded', intent: intent() },
      { type: 'pay' },
      { type: 'declined', notice: 'Your card was declined.', intent: intent() },
    );
    expect(declined.submitting).toBe(false);
    expect(declined.notice).toBe('Your card was declined.');
    expect(screenOf(declined, HERE)).toBe('form');
    expect(paymentReducer(declined, { type: 'notice', notice: null }).notice).toBeNull();
    expect(paymentReducer(declined, { type: 'pay' }).notice).toBeNull();
  });

  it('an expired intent answers with the closed screen, keeping the last reason', () => {
    const s = run(
      { type: 'loaded', intent: intent() },
      { type: 'declined', notice: 'before', intent: intent() },
      { type: 'pay' },
      { type: 'declined', notice: 'ignored', expired: true },
    );
    expect(s.intent?.status).toBe('expired');
    expect(screenOf(s, HERE)).toBe('failed');
  });

  it('shows each waiting screen by the next action, and 3-D Secure in the processor’s own fields as the form', () => {
    const at = (next_action: PageIntent['next_action'], over: Partial<PageIntent> = {}) =>
      screenOf(
        run({
          type: 'loaded',
          intent: intent({ status: 'requires_action', next_action, ...over }),
        }),
        HERE,
      );
    expect(at({ type: 'redirect', url: 'https://g.test/processors/redirect/app/x' })).toBe('app');
    expect(at({ type: 'upi_intent', url: 'upi://pay?pa=x' })).toBe('upi_app');
    expect(at({ type: 'three_d_secure', url: 'https://g.test/processors/sandbox/3ds/x' })).toBe(
      'challenge',
    );
    expect(
      at({ type: 'three_d_secure', url: `https://g.test${HERE}` }, {
        processor_fields: { card: 'stripe' },
      } as Partial<PageIntent>),
    ).toBe('form');
    expect(screenOf(run({ type: 'loaded', intent: intent({ status: 'processing' }) }), HERE)).toBe(
      'processing',
    );
  });

  it('paid or held is success; out of attempts is over, with no form', () => {
    for (const status of ['succeeded', 'requires_capture'] as const) {
      expect(screenOf(run({ type: 'loaded', intent: intent({ status }) }), HERE)).toBe('success');
    }
    for (const status of ['failed', 'canceled', 'expired'] as const) {
      expect(screenOf(run({ type: 'loaded', intent: intent({ status }) }), HERE)).toBe('failed');
    }
    const spent = run({ type: 'loaded', intent: intent({ attempts_remaining: 0 }) });
    expect(screenOf(spent, HERE)).toBe('failed');
  });

  it('asks before closing only while a payment is under way', () => {
    const open = run({ type: 'loaded', intent: intent() }, { type: 'ask', asking: true });
    expect(busy(open)).toBe(false);
    expect(screenOf(open, HERE)).toBe('form');
    const paying = paymentReducer(open, { type: 'pay' });
    expect(busy(paying)).toBe(true);
    expect(screenOf(paying, HERE)).toBe('ask');
    expect(screenOf(paymentReducer(paying, { type: 'ask', asking: false }), HERE)).toBe('form');
  });

  it('leaving a payment goes back to the form and remembers when; a failed leave says why', () => {
    const waiting = run({
      type: 'loaded',
      intent: intent({ status: 'processing' }),
    });
    const leaving = paymentReducer(waiting, { type: 'leave' });
    expect(leaving.submitting).toBe(true);
    const left = paymentReducer(leaving, { type: 'left', intent: intent(), at: 1234 });
    expect(left).toMatchObject({ submitting: false, leftAt: 1234, asking: false });
    expect(screenOf(left, HERE)).toBe('form');
    const failed = paymentReducer(leaving, { type: 'leave_failed', note: 'Network' });
    expect(failed).toMatchObject({ submitting: false, waitNote: 'Network' });
    expect(screenOf(failed, HERE)).toBe('processing');
    // A new payment forgets the one left.
    expect(paymentReducer(left, { type: 'paid', intent: intent() }).leftAt).toBeNull();
  });
});
