import type { EventAbout, PaymentIntent } from '@kassa/node';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openShopDb } from './db/db.ts';
import * as s from './db/schema.ts';
import {
  addToCart,
  applyPaymentEvent,
  cartOf,
  customerExists,
  ensureGuest,
  getOrder,
  handleEventOnce,
  placeOrder,
  placeTopUp,
  removeFromCart,
  reorder,
  walletOf,
} from './orders.ts';

type IntentEvent = EventAbout<'payment_intent'>;
/** A payment_intent event as the gateway sends it. */
const event = (
  id: string,
  type: IntentEvent['type'],
  orderId: string,
  status: PaymentIntent['status'],
  pi = 'pi_1',
): IntentEvent => ({
  id,
  object: 'event',
  type,
  created: 1_780_000_000,
  livemode: false,
  data: {
    object: {
      id: pi,
      object: 'payment_intent',
      livemode: false,
      amount: 1,
      amount_capturable: 0,
      amount_received: status === 'succeeded' ? 1 : 0,
      amount_refunded: 0,
      currency: 'inr',
      status,
      order_id: orderId,
      description: null,
      customer: null,
      metadata: {},
      capture_method: 'automatic',
      payment_method_types: ['card'],
      client_secret: `${pi}_secret_x`,
      checkout_url: `http://gateway.test/pay/${pi}`,
      return_url: null,
      last_payment_error: null,
      next_action: null,
      latest_attempt: null,
      failed_attempts: 0,
      cancellation_reason: null,
      canceled_at: null,
      expires_at: 1_780_003_600,
      created: 1_780_000_000,
    },
  },
});

describe('orders', () => {
  it('takes the amount from the shop’s own prices and empties the cart', () => {
    const db = openShopDb(':memory:');
    addToCart(db, 'cus_asha', 'chai', 2);
    addToCart(db, 'cus_asha', 'samosa', 1);
    const order = placeOrder(db, 'cus_asha');
    expect(order).toMatchObject({ status: 'PENDING', amount: 2 * 12000 + 18000, currency: 'INR' });
    expect(() => placeOrder(db, 'cus_asha')).toThrow(/empty/);
  });

  it('a guest has a cart and a wallet of their own; a removed item leaves the order', () => {
    const db = openShopDb(':memory:');
    ensureGuest(db, 'cus_guest1');
    ensureGuest(db, 'cus_guest1'); // a second sight changes nothing
    expect(customerExists(db, 'cus_guest1')).toBe(true);
    expect(walletOf(db, 'cus_guest1').balance).toBe(0);
    addToCart(db, 'cus_guest1', 'chai', 1);
    addToCart(db, 'cus_guest1', 'filter', 1);
    addToCart(db, 'cus_asha', 'samosa', 1);
    removeFromCart(db, 'cus_guest1', 'chai');
    expect(cartOf(db, 'cus_guest1').map((l) => l.productId)).toEqual(['filter']);
    expect(placeOrder(db, 'cus_guest1').amount).toBe(15000);
    expect(cartOf(db, 'cus_asha').map((l) => l.productId)).toEqual(['samosa']);
  });

  it('moves PENDING to PAID, FAILED or EXPIRED, and never back from PAID', () => {
    const db = openShopDb(':memory:');
    addToCart(db, 'cus_asha', 'chai', 1);
    const a = placeOrder(db, 'cus_asha');
    expect(
      applyPaymentEvent(
        db,
        event('e1', 'payment_intent.payment_failed', a.id, 'requires_payment_method'),
      ),
    ).toBeNull();
    expect(getOrder(db, a.id)?.status).toBe('PENDING');
    expect(
      applyPaymentEvent(db, event('e2', 'payment_intent.succeeded', a.id, 'succeeded'))?.status,
    ).toBe('PAID');
    expect(
      applyPaymentEvent(db, event('e3', 'payment_intent.expired', a.id, 'expired')),
    ).toBeNull();
    expect(
      applyPaymentEvent(
        db,
        event('e4', 'payment_intent.payment_failed', a.id, 'requires_payment_method'),
      ),
    ).toBeNull();
    expect(getOrder(db, a.id)?.status).toBe('PAID');

    addToCart(db, 'cus_asha', 'chai', 1);
    const b = placeOrder(db, 'cus_asha');
    expect(
      applyPaymentEvent(db, event('e5', 'payment_intent.expired', b.id, 'expired'))?.status,
    ).toBe('EXPIRED');
    // A success that arrives late still wins: the money was taken.
    expect(
      applyPaymentEvent(db, event('e6', 'payment_intent.succeeded', b.id, 'succeeded', 'pi_2'))
        ?.status,
    ).toBe('PAID');
  });

  it('an intent out of attempts fails the order, whose items can go back in the cart', () => {
    const db = openShopDb(':memory:');
    addToCart(db, 'cus_asha', 'chai', 2);
    const order = placeOrder(db, 'cus_asha');
    expect(cartOf(db, 'cus_asha')).toEqual([]);
    // The last allowed decline: the intent itself is failed, and nothing can pay it now.
    expect(
      applyPaymentEvent(db, event('e_last', 'payment_intent.payment_failed', order.id, 'failed'))
        ?.status,
    ).toBe('FAILED');
    reorder(db, 'cus_asha', order.id);
    expect(cartOf(db, 'cus_asha').map((l) => [l.productId, l.quantity])).toEqual([['chai', 2]]);
  });

  it('shows a refund made in the dashboard on the order, once however often its event comes', () => {
    const db = openShopDb(':memory:');
    addToCart(db, 'cus_asha', 'chai', 1);
    const order = placeOrder(db, 'cus_asha');
    handleEventOnce(db, event('e_paid', 'payment_intent.succeeded', order.id, 'succeeded', 'pi_r'));
    db.update(s.orders).set({ paymentIntentId: 'pi_r' }).where(eq(s.orders.id, order.id)).run();
    const refunded = {
      id: 'evt_refund',
      object: 'event',
      type: 'refund.succeeded',
      created: 1_780_000_000,
      livemode: false,
      data: {
        object: {
          id: 're_1',
          object: 'refund',
          livemode: false,
          payment_intent: 'pi_r',
          amount: 5000,
          currency: 'inr',
          status: 'succeeded',
          reason: null,
          failure_reason: null,
          metadata: {},
          created: 1_780_000_000,
        },
      },
    } as unknown as Parameters<typeof handleEventOnce>[1];
    expect(handleEventOnce(db, refunded).order?.amountRefunded).toBe(5000);
    expect(handleEventOnce(db, refunded).duplicate).toBe(true);
    expect(getOrder(db, order.id)).toMatchObject({ status: 'PAID', amountRefunded: 5000 });
  });

  it('credits a top-up exactly once, however often its events arrive', () => {
    const db = openShopDb(':memory:');
    const topUp = placeTopUp(db, 'cus_asha', 50000);
    const paid = event('evt_paid', 'payment_intent.succeeded', topUp.id, 'succeeded');
    expect(handleEventOnce(db, paid).duplicate).toBe(false);
    expect(handleEventOnce(db, paid).duplicate).toBe(true);
    // Even a different event id for the same success does not credit twice.
    applyPaymentEvent(db, { ...paid, id: 'evt_other' });
    const wallet = walletOf(db, 'cus_asha');
    expect(wallet.balance).toBe(50000);
    expect(wallet.history).toHaveLength(1);
  });
});
