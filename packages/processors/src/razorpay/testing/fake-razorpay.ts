import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import {
  type ReleaseOptions,
  type WebhookTarget,
  webhookOutbox,
} from '../../fakes/webhook-outbox.ts';
import type {
  Notes,
  RazorpayDispute,
  RazorpayErrorBody,
  RazorpayEvent,
  RazorpayOrder,
  RazorpayPayment,
  RazorpayRefund,
} from '../types.ts';
import { dispute, id, order, payment, refund, seconds } from './objects.ts';

/**
 * A fake Razorpay API on 127.0.0.1 for tests with no internet, as strict as Razorpay's API
 * reference for the endpoints the adapter uses (orders, S2S UPI payments, payments,
 * capture, refunds, disputes) and for the part of Standard Checkout a shopper plays:
 *
 * - **Accounts.** Requests authenticate with HTTP Basic `key_id:key_secret` of an account
 *   added with `addAccount`; `rzp_test_acme` is test mode of account `acme`. Anything else
 *   answers 401 `Authentication failed`. Objects belong to the account that made them;
 *   another account's id answers 400 `The id provided does not exist`, as Razorpay does.
 * - **Parameters.** Each endpoint takes exactly the parameters Razorpay documents for it;
 *   another answers 400 `<name> is/are not required and should not be sent`, with `field`.
 *   Amounts under 100, receipts over 40 characters, more than 15 notes or notes over 256
 *   characters, UPI outside INR, a capture of another amount than the authorised one and a
 *   refund of more than is left answer Razorpay's 400s.
 * - **Idempotency** as Razorpay offers it: refunds only, by `X-Refund-Idempotency` (10+
 *   letters, digits, `-`, `_`): the same key and body answer the first refund again, a
 *   different body answers 400. Orders and payments have none (the adapter looks them up).
 * - **Faults.** `fault()` injects what Razorpay and the network produce: 500 without
 *   acting, 429, 409 (a refund with that key under way), a hang, an answer dropped after
 *   acting. Webhooks are signed as Razorpay signs them (hex HMAC-SHA256 of the body,
 *   `X-Razorpay-Signature`, `X-Razorpay-Event-Id`), and can be held, released in order,
 *   reversed, shuffled or duplicated, and retried; authorisations can lapse (Razorpay's
 *   auto-refund), refunds can stay pending and fail, disputes move through their statuses.
 *
 * @example
 * const fake = await startFakeRazorpay();
 * fake.addAccount('rzp_test_acme', 'acmeSecret123');
 * const adapter = createRazorpayProcessor({ api: fake.url });
 * fake.sendWebhooksTo('http://127.0.0.1:4000/v1/processor_webhooks/razorpay/pacct_…', 'whsecret1', 'test:acme');
 */

/** Razorpay's test cards, by what Checkout does with them. */
export const FAKE_RAZORPAY_CARDS: Record<
  string,
  { kind: 'success' } | { kind: 'decline'; reason: string; description: string }
> = {
  '4111111111111111': { kind: 'success' },
  '5267318187975449': { kind: 'success' },
  '4000000000000002': {
    kind: 'decline',
    reason: 'card_declined',
    description: 'Payment failed because the card was declined by the bank.',
  },
  '4000000000009995': {
    kind: 'decline',
    reason: 'insufficient_balance',
    description: 'Payment failed due to insufficient balance.',
  },
};

/** Razorpay's test VPAs: approved or declined in the "app" when `settleUpi` runs. */
export const FAKE_RAZORPAY_VPAS = { succeeds: 'success@razorpay', fails: 'failure@razorpay' };

export interface FakeRazorpayRequest {
  method: string;
  path: string;
  body: string;
  /** The key's account, `test:acme`; null when it did not authenticate. */
  account: string | null;
  idempotencyKey: string | null;
  /** The status answered (0: none, the connection was dropped or hung). */
  status?: number;
}

export type FakeRazorpayFault =
  /** 500 `SERVER_ERROR`, nothing done. */
  | { kind: 'server_error' }
  /** 429, nothing done. */
  | { kind: 'rate_limit' }
  /** 409: a request with this idempotency key is still being processed, nothing done. */
  | { kind: 'conflict' }
  /** No answer until the client gives up. */
  | { kind: 'hang' }
  /** Done, then the connection is dropped before the answer. */
  | { kind: 'drop_after' };

/** What Checkout hands the page's `handler` once a payment is authorised. */
export interface CheckoutSuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

export interface FakeRazorpay {
  /** For `createRazorpayProcessor({ api })`. */
  url: string;
  requests: FakeRazorpayRequest[];
  events: { id: string; event: RazorpayEvent; account: string; delivered: number | null }[];
  faultsInjected: Record<FakeRazorpayFault['kind'], number>;
  /** An account's API key, so requests with it authenticate. */
  addAccount(keyId: string, keySecret: string): void;
  order(orderId: string): RazorpayOrder | undefined;
  orders(): RazorpayOrder[];
  payment(paymentId: string): RazorpayPayment | undefined;
  /** Every payment of an order, or of every account. */
  payments(orderId?: string): RazorpayPayment[];
  refunds(paymentId: string): RazorpayRefund[];
  disputes(): RazorpayDispute[];
  accountOf(objectId: string): string | undefined;
  sendWebhooksTo(to: WebhookTarget, secret: string, account?: string): void;
  holdWebhooks(): void;
  releaseWebhooks(opts?: ReleaseOptions): Promise<void>;
  /** Sends again every delivery that got no 2xx, as Razorpay's retries (for 24 hours) do. */
  retryFailedWebhooks(): Promise<number>;
  /** A webhook of this event about a payment, signed for `secret`, as Razorpay would send it. */
  signedEvent(
    type: string,
    paymentId: string,
    secret: string,
    opts?: { createdAt?: number },
  ): { id: string; headers: Record<string, string>; rawBody: string };
  fault(
    pathPrefix: string,
    fault: FakeRazorpayFault,
    opts?: { times?: number; method?: string },
  ): void;
  clearFaults(): void;
  /** The shopper pays an order in Standard Checkout with a card (test cards above). */
  checkout(
    orderId: string,
    keyId: string,
    card: string,
  ): Promise<CheckoutSuccess | { error: RazorpayErrorBody }>;
  /** The shopper approves (or declines) a UPI payment in their app. */
  approveUpi(paymentId: string, approve: boolean): RazorpayPayment;
  /** Settles waiting UPI payments to Razorpay's test VPAs (success@razorpay, failure@razorpay). */
  settleUpi(): void;
  refundsSettle(when: 'now' | 'later'): void;
  settleRefund(refundId: string, status: 'processed' | 'failed'): void;
  /** An authorised payment not captured in time: Razorpay refunds it by itself. */
  expireAuthorization(paymentId: string): void;
  dispute(paymentId: string, close?: 'won' | 'lost'): RazorpayDispute;
  updateDispute(disputeId: string, status: RazorpayDispute['status']): RazorpayDispute;
  close(): Promise<void>;
}

/** Each endpoint's parameters, as Razorpay's API reference lists them. */
export const RAZORPAY_PARAMS = {
  orderCreate: [
    'amount',
    'currency',
    'receipt',
    'notes',
    'partial_payment',
    'first_payment_min_amount',
    'payment',
    'method',
  ],
  orderList: ['from', 'to', 'count', 'skip', 'authorized', 'receipt', 'expand[]'],
  upiCreate: [
    'amount',
    'currency',
    'order_id',
    'email',
    'contact',
    'method',
    'customer_id',
    'save',
    'ip',
    'referer',
    'user_agent',
    'description',
    'notes',
    'upi',
    'callback_url',
  ],
  paymentList: ['from', 'to', 'count', 'skip', 'expand[]'],
  capture: ['amount', 'currency'],
  refundCreate: ['amount', 'speed', 'notes', 'receipt'],
  refundList: ['from', 'to', 'count', 'skip'],
} as const;

const CURRENCIES = new Set([
  'INR',
  'USD',
  'EUR',
  'GBP',
  'SGD',
  'AED',
  'AUD',
  'CAD',
  'JPY',
  'KWD',
  'BHD',
  'OMR',
  'MYR',
]);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const CONTACT = /^\+?[0-9]{8,15}$/;
const VPA = /^[a-z0-9._-]{2,256}@[a-z][a-z0-9]{1,63}$/i;
const IDEMPOTENCY = /^[A-Za-z0-9_-]{10,}$/;

class Refusal extends Error {
  constructor(
    readonly status: 400 | 401 | 409 | 429 | 500,
    readonly body: RazorpayErrorBody,
  ) {
    super(body.description);
  }
}
const bad = (description: string, field?: string) =>
  new Refusal(400, {
    code: 'BAD_REQUEST_ERROR',
    description,
    source: 'business',
    step: 'payment_initiation',
    reason: 'input_validation_failed',
    metadata: {},
    ...(field && { field }),
  });
const missing = () => bad('The id provided does not exist');

/** Starts the fake Razorpay on a free port of 127.0.0.1. */
export async function startFakeRazorpay(): Promise<FakeRazorpay> {
  const keys = new Map<string, string>();
  const orders = new Map<string, RazorpayOrder>();
  const payments = new Map<string, RazorpayPayment>();
  const refunds = new Map<string, RazorpayRefund>();
  const disputes = new Map<string, RazorpayDispute>();
  const owners = new Map<string, string>();
  const idempotent = new Map<string, { body: string; refund: string }>();
  const requests: FakeRazorpayRequest[] = [];
  const faults: { prefix: string; method?: string; fault: FakeRazorpayFault; times: number }[] = [];
  const faultsInjected: FakeRazorpay['faultsInjected'] = {
    server_error: 0,
    rate_limit: 0,
    conflict: 0,
    hang: 0,
    drop_after: 0,
  };
  const hanging = new Set<() => void>();
  let refundsLater = false;

  const accountOfKey = (keyId: string) => {
    const m = /^rzp_(test|live)_([A-Za-z0-9]+)$/.exec(keyId);
    return m ? `${m[1]}:${m[2]}` : null;
  };
  const own = <T extends { id: string }>(account: string, object: T) => {
    owners.set(object.id, account);
    return object;
  };
  const mine = <T>(map: Map<string, T>, account: string, objectId: string): T => {
    const found = map.get(objectId);
    if (!found || owners.get(objectId) !== account) throw missing();
    return found;
  };

  // --- webhooks ---------------------------------------------------------------------
  const sign = (secret: string, body: string) =>
    createHmac('sha256', secret).update(body).digest('hex');

  const outbox = webhookOutbox<{ id: string; event: RazorpayEvent; account: string }>({
    body: (record) => JSON.stringify(record.event),
    headers: (record, body, secret) => ({
      'content-type': 'application/json',
      'x-razorpay-signature': sign(secret, body),
      'x-razorpay-event-id': record.id,
    }),
  });

  function eventOf(
    type: string,
    p: RazorpayPayment,
    extra: Partial<RazorpayEvent['payload']> = {},
  ) {
    const account = owners.get(p.id) ?? 'test:unknown';
    const payload: RazorpayEvent['payload'] = { payment: { entity: structuredClone(p) }, ...extra };
    const event: RazorpayEvent = {
      entity: 'event',
      account_id: `acc_${account.split(':')[1]}`,
      event: type,
      contains: Object.keys(payload),
      payload,
      created_at: seconds(),
    };
    return { id: id('evt'), event, account };
  }

  function emit(type: string, p: RazorpayPayment, extra: Partial<RazorpayEvent['payload']> = {}) {
    outbox.emit(eventOf(type, p, extra));
  }

  // --- money ------------------------------------------------------------------------
  const orderOf = (p: RazorpayPayment) => orders.get(p.order_id as string) as RazorpayOrder;
  const manualOf = (o: RazorpayOrder) =>
    (o as RazorpayOrder & { payment_capture_mode?: string }).payment_capture_mode === 'manual';

  function capture(p: RazorpayPayment) {
    const o = orderOf(p);
    p.status = 'captured';
    p.captured = true;
    p.fee = Math.round(p.amount * 0.02);
    p.tax = Math.round((p.fee ?? 0) * 0.18);
    o.status = 'paid';
    o.amount_paid = o.amount;
    o.amount_due = 0;
    emit('payment.captured', p);
    emit('order.paid', p, { order: { entity: structuredClone(o) } });
  }

  function authorize(p: RazorpayPayment) {
    const o = orderOf(p);
    // A second payment for an order already paid is refunded at once (Razorpay's rule).
    if (o.status === 'paid') {
      p.status = 'authorized';
      const r = own(
        owners.get(p.id) as string,
        refund(p, { amount: p.amount, notes: {}, receipt: null, speed: 'normal' }),
      );
      refunds.set(r.id, r);
      r.status = 'processed';
      Object.assign(p, { status: 'refunded', amount_refunded: p.amount, refund_status: 'full' });
      emit('refund.processed', p, { refund: { entity: structuredClone(r) } });
      return;
    }
    p.status = 'authorized';
    if (p.method === 'upi')
      p.acquirer_data = { rrn: String(Date.now()).slice(-12), upi_transaction_id: id('upi') };
    emit('payment.authorized', p);
    if (!manualOf(o)) capture(p);
  }

  function fail(p: RazorpayPayment, reason: string, description: string) {
    Object.assign(p, {
      status: 'failed',
      error_code: 'BAD_REQUEST_ERROR',
      error_description: description,
      error_source: p.method === 'upi' ? 'customer' : 'issuer',
      error_step: p.method === 'upi' ? 'payment_authorization' : 'payment_authentication',
      error_reason: reason,
    });
    emit('payment.failed', p);
  }

  function settleRefund(r: RazorpayRefund, status: 'processed' | 'failed') {
    const p = payments.get(r.payment_id) as RazorpayPayment;
    r.status = status;
    if (status === 'processed') {
      r.speed_processed = r.speed_requested === 'optimum' ? 'instant' : 'normal';
      emit('refund.processed', p, { refund: { entity: structuredClone(r) } });
      return;
    }
    // A failed refund gives its amount back to the payment.
    p.amount_refunded -= r.amount;
    p.refund_status = p.amount_refunded === 0 ? null : 'partial';
    if (p.status === 'refunded') p.status = 'captured';
    emit('refund.failed', p, { refund: { entity: structuredClone(r) } });
  }

  // --- validation -------------------------------------------------------------------
  const onlyParams = (body: Record<string, unknown>, allowed: readonly string[]) => {
    for (const name of Object.keys(body)) {
      if (!allowed.includes(name))
        throw bad(`${name} is/are not required and should not be sent`, name);
    }
  };
  const integer = (value: unknown, field: string, min = 0) => {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw bad(`The ${field} must be an integer.`, field);
    if (value < min) throw bad(`The ${field} must be atleast ${min}.`, field);
    return value;
  };
  const notesIn = (value: unknown): Notes => {
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw bad('The notes must be an array.', 'notes');
    const entries = Object.entries(value);
    if (entries.length > 15) throw bad('Number of notes cannot be more than 15', 'notes');
    const out: Notes = {};
    for (const [k, v] of entries) {
      if (typeof v !== 'string' && typeof v !== 'number')
        throw bad(`notes.${k} must be a string.`, 'notes');
      if (String(v).length > 256)
        throw bad(`notes.${k} may not be greater than 256 characters.`, 'notes');
      out[k] = String(v);
    }
    return out;
  };
  const currencyIn = (value: unknown) => {
    if (typeof value !== 'string' || !CURRENCIES.has(value))
      throw bad('Currency is not supported', 'currency');
    return value;
  };

  // --- HTTP -------------------------------------------------------------------------
  type Env = {
    Bindings: HttpBindings;
    Variables: { account: string; json: Record<string, unknown> };
  };
  const app = new Hono<Env>();
  app.use('/__fake/*', cors({ origin: '*' }));

  app.onError((err, c) => {
    if (err instanceof Refusal) return c.json({ error: err.body }, err.status);
    return c.json(
      {
        error: {
          code: 'SERVER_ERROR',
          description: `fake razorpay: ${(err as Error).message}`,
          source: 'NA',
          step: 'NA',
          reason: 'NA',
          metadata: {},
        },
      },
      500,
    );
  });

  app.use('*', async (c, next) => {
    const text = c.req.method === 'GET' ? '' : await c.req.text();
    const entry: FakeRazorpayRequest = {
      method: c.req.method,
      path: c.req.path,
      body: text || new URL(c.req.url).search.slice(1),
      account: null,
      idempotencyKey: c.req.header('x-refund-idempotency') ?? null,
    };
    requests.push(entry);
    let json: Record<string, unknown> = {};
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        return c.json({ error: bad('The request body is not valid JSON').body }, 400);
      }
    }
    c.set('json', json);
    if (c.req.path.startsWith('/__fake')) {
      await next();
      entry.status = c.res.status;
      return undefined;
    }
    const [user, pass] = Buffer.from(
      (c.req.header('authorization') ?? '').replace(/^Basic /, ''),
      'base64',
    )
      .toString()
      .split(':');
    const account = user && keys.get(user) === pass ? accountOfKey(user) : null;
    if (!account) {
      entry.status = 401;
      return c.json(
        {
          error: {
            code: 'BAD_REQUEST_ERROR',
            description: 'Authentication failed',
            source: 'NA',
            step: 'NA',
            reason: 'NA',
            metadata: {},
          },
        },
        401,
      );
    }
    entry.account = account;
    c.set('account', account);
    const found = faults.find(
      (f) => c.req.path.startsWith(f.prefix) && (!f.method || f.method === c.req.method),
    );
    if (found) {
      found.times -= 1;
      if (found.times <= 0) faults.splice(faults.indexOf(found), 1);
      faultsInjected[found.fault.kind] += 1;
    }
    const fault = found?.fault;
    if (fault?.kind === 'server_error') {
      entry.status = 500;
      return c.json(
        {
          error: {
            code: 'SERVER_ERROR',
            description:
              'The server encountered an error. The incident has been reported to admins.',
            source: 'NA',
            step: 'NA',
            reason: 'NA',
            metadata: {},
          },
        },
        500,
      );
    }
    if (fault?.kind === 'rate_limit') {
      entry.status = 429;
      return c.json(
        {
          error: {
            code: 'BAD_REQUEST_ERROR',
            description: 'Too many requests',
            source: 'NA',
            step: 'NA',
            reason: 'NA',
            metadata: {},
          },
        },
        429,
      );
    }
    if (fault?.kind === 'conflict') {
      entry.status = 409;
      return c.json(
        {
          error: {
            code: 'BAD_REQUEST_ERROR',
            description: 'A request with the same idempotency key is being processed.',
            source: 'NA',
            step: 'NA',
            reason: 'NA',
            metadata: {},
          },
        },
        409,
      );
    }
    if (fault?.kind === 'hang') {
      entry.status = 0;
      await new Promise<void>((resolve) => {
        hanging.add(resolve);
        c.env.incoming.socket.once('close', () => resolve());
      });
      c.env.incoming.socket.destroy();
      return c.body(null, 500);
    }
    await next();
    entry.status = c.res.status;
    if (fault?.kind === 'drop_after') {
      entry.status = 0;
      c.env.incoming.socket.destroy();
    }
    return undefined;
  });

  const query = (c: Context<Env>, allowed: readonly string[]) => {
    const q = c.req.query();
    onlyParams(q, allowed);
    const count = q.count === undefined ? 10 : Number(q.count);
    if (!Number.isInteger(count) || count < 1 || count > 100)
      throw bad('The count must be between 1 and 100.', 'count');
    const skip = q.skip === undefined ? 0 : Number(q.skip);
    return { q, count, skip };
  };
  const collection = <T>(items: T[]) => ({ entity: 'collection', count: items.length, items });
  const newestFirst = <T extends { created_at: number }>(items: T[]) =>
    [...items].sort((a, b) => b.created_at - a.created_at);

  app.post('/v1/orders', (c) => {
    const b = c.get('json');
    onlyParams(b, RAZORPAY_PARAMS.orderCreate);
    const amount = integer(b.amount, 'amount');
    const currency = currencyIn(b.currency);
    if (amount < 100) throw bad(`Order amount less than minimum amount allowed`, 'amount');
    if (b.receipt !== undefined && (typeof b.receipt !== 'string' || b.receipt.length > 40)) {
      throw bad('The receipt may not be greater than 40 characters.', 'receipt');
    }
    let mode = 'automatic';
    if (b.payment !== undefined) {
      const p = b.payment as { capture?: unknown; capture_options?: Record<string, unknown> };
      if (p.capture !== 'automatic' && p.capture !== 'manual')
        throw bad('The payment.capture field is invalid.', 'payment');
      for (const [k, v] of Object.entries(p.capture_options ?? {})) {
        if (k === 'refund_speed') {
          if (v !== 'normal' && v !== 'optimum')
            throw bad('The refund_speed is invalid.', 'payment');
        } else if (k === 'automatic_expiry_period' || k === 'manual_expiry_period') {
          if (!Number.isInteger(v) || (v as number) < 12)
            throw bad(`The ${k} must be at least 12.`, 'payment');
        } else
          throw bad(
            `payment.capture_options.${k} is/are not required and should not be sent`,
            'payment',
          );
      }
      mode = p.capture;
    }
    const o = own(
      c.get('account'),
      order({
        amount,
        currency,
        receipt: (b.receipt as string | undefined) ?? null,
        notes: notesIn(b.notes),
      }),
    );
    Object.defineProperty(o, 'payment_capture_mode', { value: mode, enumerable: false });
    orders.set(o.id, o);
    return c.json(o);
  });

  app.get('/v1/orders', (c) => {
    const { q, count, skip } = query(c, RAZORPAY_PARAMS.orderList);
    const list = newestFirst(
      [...orders.values()].filter(
        (o) =>
          owners.get(o.id) === c.get('account') &&
          (q.receipt === undefined || o.receipt === q.receipt),
      ),
    );
    return c.json(collection(list.slice(skip, skip + count)));
  });

  app.get('/v1/orders/:id', (c) => c.json(mine(orders, c.get('account'), c.req.param('id'))));

  app.get('/v1/orders/:id/payments', (c) => {
    const o = mine(orders, c.get('account'), c.req.param('id'));
    return c.json(
      collection(newestFirst([...payments.values()].filter((p) => p.order_id === o.id))),
    );
  });

  app.post('/v1/payments/create/upi', (c) => {
    const b = c.get('json');
    onlyParams(b, RAZORPAY_PARAMS.upiCreate);
    if (typeof b.order_id !== 'string') throw bad('The order id field is required.', 'order_id');
    const o = mine(orders, c.get('account'), b.order_id);
    const amount = integer(b.amount, 'amount');
    if (amount !== o.amount) throw bad('The amount must match the order amount', 'amount');
    if (b.currency !== 'INR' || o.currency !== 'INR')
      throw bad('The currency should be INR.', 'currency');
    if (b.method !== 'upi') throw bad('The method field is invalid.', 'method');
    if (typeof b.email !== 'string' || !EMAIL.test(b.email))
      throw bad('The email must be a valid email address.', 'email');
    if (typeof b.contact !== 'string' || !CONTACT.test(b.contact))
      throw bad('The contact format is invalid.', 'contact');
    if (o.status === 'paid') throw bad('Order has already been paid', 'order_id');
    const upi = (b.upi ?? {}) as { flow?: unknown; vpa?: unknown; expiry_time?: unknown };
    onlyParams(upi, ['flow', 'vpa', 'expiry_time']);
    if (upi.flow !== 'collect' && upi.flow !== 'intent')
      throw bad('The upi.flow field is invalid.', 'upi');
    if (upi.flow === 'collect' && (typeof upi.vpa !== 'string' || !VPA.test(upi.vpa))) {
      throw bad('Invalid VPA. Please enter a valid Virtual Payment Address', 'vpa');
    }
    if (upi.flow === 'intent' && upi.vpa !== undefined)
      throw bad('vpa is/are not required and should not be sent', 'vpa');
    const p = own(
      c.get('account'),
      payment(o, {
        method: 'upi',
        vpa: (upi.vpa as string | undefined) ?? null,
        email: b.email,
        contact: b.contact,
        notes: notesIn(b.notes),
        description: (b.description as string | undefined) ?? null,
      }),
    );
    payments.set(p.id, p);
    o.status = 'attempted';
    o.attempts += 1;
    if (upi.flow === 'collect') return c.json({ razorpay_payment_id: p.id });
    const am = (o.amount / 100).toFixed(2);
    const link = `upi://pay?pa=razorpay.fake@icici&pn=Razorpay&tr=${p.id}&tn=${encodeURIComponent(o.receipt ?? p.id)}&am=${am}&cu=INR&mc=5411`;
    return c.json({ razorpay_payment_id: p.id, link });
  });

  app.get('/v1/payments', (c) => {
    const { q, count, skip } = query(c, RAZORPAY_PARAMS.paymentList);
    const from = q.from ? Number(q.from) : 0;
    const to = q.to ? Number(q.to) : Number.MAX_SAFE_INTEGER;
    const list = newestFirst(
      [...payments.values()].filter(
        (p) => owners.get(p.id) === c.get('account') && p.created_at >= from && p.created_at <= to,
      ),
    );
    return c.json(collection(list.slice(skip, skip + count)));
  });

  app.get('/v1/payments/:id', (c) => c.json(mine(payments, c.get('account'), c.req.param('id'))));

  app.post('/v1/payments/:id/capture', (c) => {
    const p = mine(payments, c.get('account'), c.req.param('id'));
    const b = c.get('json');
    onlyParams(b, RAZORPAY_PARAMS.capture);
    const amount = integer(b.amount, 'amount');
    if (b.currency !== undefined && b.currency !== p.currency)
      throw bad('The currency does not match the payment currency.', 'currency');
    if (p.captured) throw bad('This payment has already been captured');
    if (p.status !== 'authorized')
      throw bad('Only payments which have been authorized and not yet captured can be captured');
    if (amount !== p.amount)
      throw bad('Capture amount must be equal to the amount authorized', 'amount');
    capture(p);
    return c.json(p);
  });

  app.post('/v1/payments/:id/refund', (c) => {
    const account = c.get('account');
    const p = mine(payments, account, c.req.param('id'));
    const b = c.get('json');
    onlyParams(b, RAZORPAY_PARAMS.refundCreate);
    const key = c.req.header('x-refund-idempotency');
    if (key !== undefined && !IDEMPOTENCY.test(key)) {
      throw bad(
        'The idempotency key must be at least 10 characters: letters, digits, - and _.',
        'X-Refund-Idempotency',
      );
    }
    const body = JSON.stringify(b);
    const replayKey = key ? `${account} ${p.id} ${key}` : null;
    const replay = replayKey ? idempotent.get(replayKey) : undefined;
    if (replay) {
      if (replay.body !== body)
        throw bad('Different request with the same idempotency key has already been processed.');
      return c.json(refunds.get(replay.refund));
    }
    const left = p.amount - p.amount_refunded;
    const amount = b.amount === undefined ? left : integer(b.amount, 'amount', 100);
    const speed = b.speed ?? 'normal';
    if (speed !== 'normal' && speed !== 'optimum')
      throw bad('The speed field is invalid.', 'speed');
    if (b.receipt !== undefined && (typeof b.receipt !== 'string' || b.receipt.length > 40)) {
      throw bad('The receipt may not be greater than 40 characters.', 'receipt');
    }
    if (!p.captured) throw bad('The payment has not been captured yet');
    if (amount > left)
      throw bad('The refund amount provided is greater than amount captured', 'amount');
    const r = own(
      account,
      refund(p, {
        amount,
        notes: notesIn(b.notes),
        receipt: (b.receipt as string | undefined) ?? null,
        speed,
      }),
    );
    refunds.set(r.id, r);
    p.amount_refunded += amount;
    p.refund_status = p.amount_refunded === p.amount ? 'full' : 'partial';
    if (p.amount_refunded === p.amount) p.status = 'refunded';
    if (replayKey) idempotent.set(replayKey, { body, refund: r.id });
    emit('refund.created', p, { refund: { entity: structuredClone(r) } });
    if (!refundsLater) settleRefund(r, 'processed');
    return c.json(r);
  });

  app.get('/v1/payments/:id/refunds', (c) => {
    const p = mine(payments, c.get('account'), c.req.param('id'));
    const { count, skip } = query(c, RAZORPAY_PARAMS.refundList);
    const list = newestFirst([...refunds.values()].filter((r) => r.payment_id === p.id));
    return c.json(collection(list.slice(skip, skip + count)));
  });

  app.get('/v1/payments/:pid/refunds/:id', (c) => {
    const r = mine(refunds, c.get('account'), c.req.param('id'));
    if (r.payment_id !== c.req.param('pid')) throw missing();
    return c.json(r);
  });
  app.get('/v1/refunds/:id', (c) => c.json(mine(refunds, c.get('account'), c.req.param('id'))));
  app.get('/v1/disputes/:id', (c) => c.json(mine(disputes, c.get('account'), c.req.param('id'))));

  app.all('/v1/*', () => {
    throw new Refusal(400, {
      code: 'BAD_REQUEST_ERROR',
      description: 'The requested URL was not found on the server.',
      source: 'NA',
      step: 'NA',
      reason: 'NA',
      metadata: {},
    });
  });

  // Standard Checkout's part, from the browser: the publishable key id and the order.
  app.post('/__fake/checkout', async (c) => {
    const b = c.get('json') as { key_id?: string; order_id?: string; card?: string };
    return c.json(await fake.checkout(b.order_id ?? '', b.key_id ?? '', b.card ?? ''));
  });
  // The shopper's UPI app, from a test.
  app.post('/__fake/upi/:id', (c) => {
    const approve = (c.get('json') as { approve?: boolean }).approve !== false;
    return c.json(fake.approveUpi(c.req.param('id'), approve));
  });

  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeRazorpay = {
    url,
    requests,
    events: outbox.log,
    faultsInjected,
    addAccount(keyId, keySecret) {
      if (!accountOfKey(keyId)) throw new Error(`fake razorpay: ${keyId} is not a key id`);
      keys.set(keyId, keySecret);
    },
    order: (orderId) => orders.get(orderId),
    orders: () => [...orders.values()],
    payment: (paymentId) => payments.get(paymentId),
    payments: (orderId) => [...payments.values()].filter((p) => !orderId || p.order_id === orderId),
    refunds: (paymentId) => [...refunds.values()].filter((r) => r.payment_id === paymentId),
    disputes: () => [...disputes.values()],
    accountOf: (objectId) => owners.get(objectId),
    sendWebhooksTo: outbox.sendTo,
    holdWebhooks: outbox.hold,
    releaseWebhooks: outbox.release,
    retryFailedWebhooks: outbox.retryFailed,
    signedEvent(type, paymentId, secret, opts = {}) {
      const p = payments.get(paymentId);
      if (!p) throw new Error(`fake razorpay: no payment ${paymentId}`);
      const record = eventOf(type, p);
      if (opts.createdAt !== undefined) record.event.created_at = opts.createdAt;
      const rawBody = JSON.stringify(record.event);
      return {
        id: record.id,
        rawBody,
        headers: {
          'content-type': 'application/json',
          'x-razorpay-signature': sign(secret, rawBody),
          'x-razorpay-event-id': record.id,
        },
      };
    },
    fault(prefix, f, opts = {}) {
      faults.push({
        prefix,
        fault: f,
        times: opts.times ?? 1,
        ...(opts.method && { method: opts.method }),
      });
    },
    clearFaults() {
      faults.length = 0;
    },
    async checkout(orderId, keyId, card) {
      const account = accountOfKey(keyId);
      const o = orders.get(orderId);
      if (!account || !keys.has(keyId) || !o || owners.get(o.id) !== account) {
        return { error: missing().body };
      }
      if (o.status === 'paid') return { error: bad('Order has already been paid').body };
      const scenario = FAKE_RAZORPAY_CARDS[card.replace(/\D/g, '')];
      if (!scenario) return { error: bad('Invalid card number', 'card[number]').body };
      const p = own(account, payment(o, { method: 'card' }));
      payments.set(p.id, p);
      o.status = 'attempted';
      o.attempts += 1;
      if (scenario.kind === 'decline') {
        fail(p, scenario.reason, scenario.description);
        return {
          error: {
            code: 'BAD_REQUEST_ERROR',
            description: scenario.description,
            source: 'issuer',
            step: 'payment_authentication',
            reason: scenario.reason,
            metadata: { payment_id: p.id, order_id: o.id },
          },
        };
      }
      authorize(p);
      const secret = keys.get(keyId) as string;
      return {
        razorpay_payment_id: p.id,
        razorpay_order_id: o.id,
        razorpay_signature: sign(secret, `${o.id}|${p.id}`),
      };
    },
    approveUpi(paymentId, approve) {
      const p = payments.get(paymentId);
      if (p?.method !== 'upi' || p.status !== 'created') {
        throw new Error(`fake razorpay: ${paymentId} is no UPI payment waiting`);
      }
      if (approve) authorize(p);
      else fail(p, 'upi_request_declined', 'Payment was declined by the customer in the UPI app.');
      return p;
    },
    settleUpi() {
      for (const p of payments.values()) {
        if (p.method !== 'upi' || p.status !== 'created') continue;
        if (p.vpa === FAKE_RAZORPAY_VPAS.succeeds) fake.approveUpi(p.id, true);
        if (p.vpa === FAKE_RAZORPAY_VPAS.fails) fake.approveUpi(p.id, false);
      }
    },
    refundsSettle(when) {
      refundsLater = when === 'later';
    },
    settleRefund(refundId, status) {
      const r = refunds.get(refundId);
      if (r?.status !== 'pending')
        throw new Error(`fake razorpay: refund ${refundId} is not pending`);
      settleRefund(r, status);
    },
    expireAuthorization(paymentId) {
      const p = payments.get(paymentId);
      if (p?.status !== 'authorized') throw new Error(`fake razorpay: ${paymentId} holds nothing`);
      const r = own(
        owners.get(p.id) as string,
        refund(p, { amount: p.amount, notes: {}, receipt: null, speed: 'normal' }),
      );
      refunds.set(r.id, r);
      Object.assign(p, { status: 'refunded', amount_refunded: p.amount, refund_status: 'full' });
      emit('refund.created', p, { refund: { entity: structuredClone(r) } });
      settleRefund(r, 'processed');
    },
    dispute(paymentId, close) {
      const p = payments.get(paymentId);
      if (!p?.captured) throw new Error(`fake razorpay: ${paymentId} has nothing to dispute`);
      const d = own(owners.get(p.id) as string, dispute(p));
      disputes.set(d.id, d);
      emit('payment.dispute.created', p, { dispute: { entity: structuredClone(d) } });
      if (close) fake.updateDispute(d.id, close);
      return d;
    },
    updateDispute(disputeId, status) {
      const d = disputes.get(disputeId);
      if (!d) throw new Error(`fake razorpay: no dispute ${disputeId}`);
      d.status = status;
      const p = payments.get(d.payment_id) as RazorpayPayment;
      emit(`payment.dispute.${status}`, p, { dispute: { entity: structuredClone(d) } });
      return d;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of hanging) release();
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
  return fake;
}
