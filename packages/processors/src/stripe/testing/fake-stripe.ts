import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import Stripe from 'stripe';

/**
 * A fake Stripe API on 127.0.0.1 for tests with no internet: the endpoints the Stripe
 * adapter uses (PaymentIntents, refunds, balance transactions), with Stripe's test cards,
 * idempotency keys, the confirm call Stripe.js makes from the browser, and webhooks signed
 * as Stripe signs them. Every object it answers with is typed with the `stripe` package's
 * own types, so a field Stripe renames breaks the build here, not a merchant's payments.
 *
 * @example
 * const fake = await startFakeStripe();
 * const adapter = createStripeProcessor({ api: fake.api });
 * fake.sendWebhooksTo('http://127.0.0.1:4000/v1/processor_webhooks/stripe/pacct_…', 'whsec_…');
 * await fake.close();
 */

type Scenario =
  | { kind: 'success' }
  | { kind: 'decline'; code: string; declineCode?: string; message: string }
  | { kind: 'three_d_secure' };

/** Stripe's test cards and test PaymentMethods, by what they do. */
export const FAKE_STRIPE_CARDS: Record<string, Scenario> = {
  '4242424242424242': { kind: 'success' },
  '4000056655665556': { kind: 'success' },
  pm_card_visa: { kind: 'success' },
  '4000000000009995': {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  '4000000000000002': {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclined: {
    kind: 'decline',
    code: 'card_declined',
    declineCode: 'generic_decline',
    message: 'Your card was declined.',
  },
  '4000000000000069': { kind: 'decline', code: 'expired_card', message: 'Your card has expired.' },
  '4000002760003184': { kind: 'three_d_secure' },
  pm_card_authenticationRequired: { kind: 'three_d_secure' },
};

export interface FakeStripeRequest {
  method: string;
  path: string;
  /** The form body as Stripe's clients send it; card numbers stay here, in the fake. */
  body: string;
  idempotencyKey: string | null;
  /** `secret` for the server's calls, `publishable` for Stripe.js's. */
  auth: 'secret' | 'publishable' | 'none';
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const seconds = () => Math.floor(Date.now() / 1000);

function paymentIntent(fields: {
  amount: number;
  currency: string;
  captureMethod: Stripe.PaymentIntent.CaptureMethod;
  methodTypes: string[];
  metadata: Record<string, string>;
  livemode: boolean;
}): Stripe.PaymentIntent {
  const piId = id('pi');
  return {
    id: piId,
    object: 'payment_intent',
    allowed_payment_method_types:
      fields.methodTypes as Stripe.PaymentIntent.AllowedPaymentMethodType[],
    amount: fields.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: fields.captureMethod,
    client_secret: `${piId}_secret_${randomBytes(12).toString('hex')}`,
    confirmation_method: 'automatic',
    created: seconds(),
    currency: fields.currency,
    customer: null,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: fields.livemode,
    managed_payments: null,
    metadata: fields.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: fields.methodTypes,
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_group: null,
  };
}

function charge(pi: Stripe.PaymentIntent, amount: number): Stripe.Charge {
  return {
    id: id('ch'),
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: null,
    captured: true,
    created: seconds(),
    currency: pi.currency,
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: null,
    livemode: pi.livemode,
    metadata: {},
    on_behalf_of: null,
    outcome: null,
    paid: true,
    payment_intent: pi.id,
    payment_method: null,
    payment_method_details: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

function dispute(pi: Stripe.PaymentIntent, ch: Stripe.Charge): Stripe.Dispute {
  const none = null;
  return {
    id: id('dp'),
    object: 'dispute',
    amount: ch.amount,
    balance_transactions: [],
    charge: ch.id,
    created: seconds(),
    currency: ch.currency,
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: none,
      billing_address: none,
      cancellation_policy: none,
      cancellation_policy_disclosure: none,
      cancellation_rebuttal: none,
      customer_communication: none,
      customer_email_address: none,
      customer_name: none,
      customer_purchase_ip: none,
      customer_signature: none,
      duplicate_charge_documentation: none,
      duplicate_charge_explanation: none,
      duplicate_charge_id: none,
      enhanced_evidence: {},
      product_description: none,
      receipt: none,
      refund_policy: none,
      refund_policy_disclosure: none,
      refund_refusal_explanation: none,
      service_date: none,
      service_documentation: none,
      shipping_address: none,
      shipping_carrier: none,
      shipping_date: none,
      shipping_documentation: none,
      shipping_tracking_number: none,
      uncategorized_file: none,
      uncategorized_text: none,
    },
    evidence_details: {
      due_by: seconds() + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: null,
    } as unknown as Stripe.Dispute.EvidenceDetails,
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: pi.livemode,
    metadata: {},
    payment_intent: pi.id,
    reason: 'fraudulent',
    status: 'needs_response',
  };
}

function balanceTransaction(
  source: Stripe.Charge | Stripe.Refund,
  amount: number,
): Stripe.BalanceTransaction {
  return {
    id: id('txn'),
    object: 'balance_transaction',
    amount,
    available_on: seconds() + 2 * 86_400,
    balance_type: 'payments',
    created: seconds(),
    currency: source.currency,
    description: null,
    exchange_rate: null,
    fee: 0,
    fee_details: [],
    net: amount,
    reporting_category: source.object === 'charge' ? 'charge' : 'refund',
    source: source.id,
    status: 'pending',
    type: source.object === 'charge' ? 'charge' : 'refund',
  };
}

function stripeError(
  c: Context,
  status: 400 | 401 | 402 | 404,
  error: Partial<Stripe.StripeRawError> & { type: Stripe.RawErrorType },
) {
  return c.json({ error }, status);
}

export type WebhookTarget =
  | string
  | ((body: string, headers: Record<string, string>) => Promise<number>);

export interface FakeStripe {
  /** For `createStripeProcessor({ api })`: this fake's host, port and protocol. */
  api: { host: string; port: number; protocol: 'http' };
  url: string;
  /** Every request the fake received, oldest first. */
  requests: FakeStripeRequest[];
  /** Every event the fake made, and what the webhook endpoint answered, if it was sent. */
  events: { event: Stripe.Event; delivered: number | null }[];
  paymentIntent(id: string): Stripe.PaymentIntent | undefined;
  refunds(paymentIntent: string): Stripe.Refund[];
  /** Where the fake POSTs its webhooks (a URL, or a function for an in-process app),
   * signed with this secret. */
  sendWebhooksTo(to: WebhookTarget, secret: string): void;
  /** Keeps events back (to deliver out of order) until `releaseWebhooks`. */
  holdWebhooks(): void;
  releaseWebhooks(): Promise<void>;
  /** Carries out the next request to this path and then drops the connection unanswered,
   * as a network failure after Stripe acted would. */
  dropResponseOnce(pathPrefix: string): void;
  /** Opens a dispute on a paid PaymentIntent (and with `close`, decides it). */
  dispute(paymentIntent: string, close?: 'won' | 'lost'): Promise<Stripe.Dispute>;
  /** Plays the shopper's bank on a 3-D Secure challenge. */
  authenticate(paymentIntent: string, approve: boolean): Promise<Stripe.PaymentIntent>;
  close(): Promise<void>;
}

/** Starts the fake Stripe on a free port of 127.0.0.1. */
export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Stripe.PaymentIntent>();
  const charges = new Map<string, Stripe.Charge>();
  const refunds = new Map<string, Stripe.Refund>();
  const balance: Stripe.BalanceTransaction[] = [];
  const replies = new Map<string, { status: number; body: string }>();
  const requests: FakeStripeRequest[] = [];
  const events: FakeStripe['events'] = [];
  const dropOnce = new Set<string>();
  let webhook: { to: WebhookTarget; secret: string } | null = null;
  let held: Stripe.Event[] | null = null;

  async function deliver(event: Stripe.Event) {
    const record = { event, delivered: null as number | null };
    events.push(record);
    if (!webhook) return;
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: webhook.secret,
    });
    const headers = { 'content-type': 'application/json', 'stripe-signature': signature };
    try {
      if (typeof webhook.to === 'function') {
        record.delivered = await webhook.to(payload, headers);
      } else {
        const res = await fetch(webhook.to, { method: 'POST', headers, body: payload });
        record.delivered = res.status;
      }
    } catch {
      record.delivered = 0;
    }
  }

  function emit(type: string, object: Stripe.Event.Data['object']) {
    const event = {
      id: id('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      context: undefined,
      created: seconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    } as Stripe.Event;
    if (held) held.push(event);
    else void deliver(event);
  }

  function settle(pi: Stripe.PaymentIntent) {
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      emit('payment_intent.amount_capturable_updated', pi);
      return;
    }
    const ch = charge(pi, pi.amount);
    charges.set(ch.id, ch);
    balance.push(balanceTransaction(ch, ch.amount));
    pi.latest_charge = ch.id;
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    emit('payment_intent.succeeded', pi);
  }

  function decline(pi: Stripe.PaymentIntent, s: Extract<Scenario, { kind: 'decline' }>) {
    pi.status = 'requires_payment_method';
    pi.last_payment_error = {
      type: 'card_error',
      code: s.code,
      decline_code: s.declineCode,
      message: s.message,
    } as Stripe.PaymentIntent.LastPaymentError;
    emit('payment_intent.payment_failed', pi);
  }

  type Env = { Bindings: HttpBindings; Variables: { form: URLSearchParams } };
  const app = new Hono<Env>();

  // Stripe's API answers browsers (Stripe.js) from any origin.
  app.use('*', cors({ origin: '*' }));
  // The request log, idempotent replays and dropped answers, for every call.
  app.use('*', async (c, next) => {
    const body = c.req.method === 'GET' ? new URL(c.req.url).search.slice(1) : await c.req.text();
    const form = new URLSearchParams(body);
    c.set('form', form);
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    const key = bearer.startsWith('sk_') || bearer.startsWith('rk_') ? bearer : form.get('key');
    const auth = key?.startsWith('pk_') ? 'publishable' : key ? 'secret' : 'none';
    const idempotencyKey = c.req.header('idempotency-key') ?? null;
    requests.push({ method: c.req.method, path: c.req.path, body, idempotencyKey, auth });
    if (auth === 'none' && !c.req.path.startsWith('/__fake')) {
      return stripeError(c, 401, { type: 'invalid_request_error', message: 'No API key.' });
    }
    const replayKey = idempotencyKey ? `${c.req.path} ${idempotencyKey}` : null;
    const replay = replayKey ? replies.get(replayKey) : undefined;
    if (replay) {
      c.res = new Response(replay.body, {
        status: replay.status,
        headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
      });
    } else {
      await next();
      if (replayKey && c.res.status < 500) {
        replies.set(replayKey, { status: c.res.status, body: await c.res.clone().text() });
      }
    }
    const drop = [...dropOnce].find((p) => c.req.path.startsWith(p));
    if (drop) {
      dropOnce.delete(drop);
      c.env.incoming.socket.destroy();
    }
    return undefined;
  });

  const find = (c: Context) => intents.get(c.req.param('id') ?? '');
  const form = (c: Context<Env>) => c.get('form');
  const metadataOf = (f: URLSearchParams) =>
    Object.fromEntries(
      [...f.entries()]
        .filter(([k]) => k.startsWith('metadata['))
        .map(([k, v]) => [k.slice(9, -1), v]),
    );

  app.post('/v1/payment_intents', (c) => {
    const f = form(c);
    const amount = Number(f.get('amount'));
    const currency = f.get('currency') ?? '';
    if (!Number.isInteger(amount) || amount < 1 || !currency) {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        message: 'amount and currency are required.',
        param: !currency ? 'currency' : 'amount',
      });
    }
    const pi = paymentIntent({
      amount,
      currency,
      captureMethod: f.get('capture_method') === 'manual' ? 'manual' : 'automatic',
      methodTypes: f.getAll('allowed_payment_method_types[0]').length
        ? f.getAll('allowed_payment_method_types[0]')
        : ['card'],
      metadata: metadataOf(f),
      livemode: false,
    });
    intents.set(pi.id, pi);
    return c.json(pi);
  });

  app.get('/v1/payment_intents/:id', (c) => {
    const pi = find(c);
    if (!pi)
      return stripeError(c, 404, { type: 'invalid_request_error', code: 'resource_missing' });
    const f = form(c);
    // Stripe.js reads with the publishable key and the client secret.
    if (f.get('key')?.startsWith('pk_') && f.get('client_secret') !== pi.client_secret) {
      return stripeError(c, 404, { type: 'invalid_request_error', code: 'resource_missing' });
    }
    return c.json(pi);
  });

  // The call Stripe.js makes from the browser (publishable key + client secret), or the
  // server's own with a test PaymentMethod such as pm_card_visa.
  app.post('/v1/payment_intents/:id/confirm', (c) => {
    const pi = find(c);
    const f = form(c);
    if (!pi || (f.get('key')?.startsWith('pk_') && f.get('client_secret') !== pi.client_secret)) {
      return stripeError(c, 404, { type: 'invalid_request_error', code: 'resource_missing' });
    }
    if (!['requires_payment_method', 'requires_confirmation'].includes(pi.status)) {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${pi.status}.`,
      });
    }
    const card = f.get('payment_method') ?? f.get('payment_method_data[card][number]') ?? '';
    const scenario =
      FAKE_STRIPE_CARDS[card.replace(/\s/g, '')] ?? FAKE_STRIPE_CARDS.pm_card_chargeDeclined;
    pi.last_payment_error = null;
    pi.payment_method = id('pm');
    if (scenario?.kind === 'success') settle(pi);
    else if (scenario?.kind === 'three_d_secure') {
      pi.status = 'requires_action';
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect' },
      };
      emit('payment_intent.requires_action', pi);
    } else if (scenario?.kind === 'decline') {
      decline(pi, scenario);
      return stripeError(c, 402, {
        type: 'card_error',
        code: scenario.code,
        decline_code: scenario.declineCode,
        message: scenario.message,
        payment_intent: structuredClone(pi),
      } as never);
    }
    return c.json(pi);
  });

  app.post('/v1/payment_intents/:id/capture', (c) => {
    const pi = find(c);
    if (!pi)
      return stripeError(c, 404, { type: 'invalid_request_error', code: 'resource_missing' });
    if (pi.status !== 'requires_capture') {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent's status is ${pi.status}.`,
      });
    }
    const amount = Number(form(c).get('amount_to_capture') ?? pi.amount);
    const ch = charge(pi, amount);
    charges.set(ch.id, ch);
    balance.push(balanceTransaction(ch, amount));
    Object.assign(pi, {
      status: 'succeeded',
      amount_received: amount,
      amount_capturable: 0,
      latest_charge: ch.id,
    });
    emit('payment_intent.succeeded', pi);
    return c.json(pi);
  });

  app.post('/v1/payment_intents/:id/cancel', (c) => {
    const pi = find(c);
    if (!pi)
      return stripeError(c, 404, { type: 'invalid_request_error', code: 'resource_missing' });
    if (pi.status === 'succeeded' || pi.status === 'canceled' || pi.status === 'processing') {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
      });
    }
    Object.assign(pi, { status: 'canceled', canceled_at: seconds(), amount_capturable: 0 });
    emit('payment_intent.canceled', pi);
    return c.json(pi);
  });

  app.post('/v1/refunds', (c) => {
    const f = form(c);
    const pi = intents.get(f.get('payment_intent') ?? '');
    const ch = pi?.latest_charge ? charges.get(String(pi.latest_charge)) : undefined;
    if (!pi || !ch) {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: 'No such payment_intent, or it has no charge to refund.',
        param: 'payment_intent',
      });
    }
    const amount = Number(f.get('amount') ?? ch.amount - ch.amount_refunded);
    if (amount > ch.amount - ch.amount_refunded) {
      return stripeError(c, 400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        message: 'Refund amount is greater than unrefunded amount on charge.',
        param: 'amount',
      });
    }
    const refund: Stripe.Refund = {
      id: id('re'),
      object: 'refund',
      amount,
      balance_transaction: null,
      charge: ch.id,
      created: seconds(),
      currency: ch.currency,
      customer: null,
      customer_account: null,
      metadata: metadataOf(f),
      payment_intent: pi.id,
      payment_method: null,
      reason: null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    refunds.set(refund.id, refund);
    ch.amount_refunded += amount;
    ch.refunded = ch.amount_refunded === ch.amount;
    balance.push(balanceTransaction(refund, -amount));
    emit('refund.created', refund);
    emit('charge.refunded', {
      ...ch,
      refunds: { object: 'list', data: [refund], has_more: false, url: '' },
    });
    return c.json(refund);
  });

  app.get('/v1/balance_transactions', (c) => {
    const f = form(c);
    const gte = Number(f.get('created[gte]') ?? 0);
    const lt = Number(f.get('created[lt]') ?? Number.MAX_SAFE_INTEGER);
    const expand = f.getAll('expand[0]').includes('data.source');
    const data = balance
      .filter((t) => t.created >= gte && t.created < lt)
      .map((t) => {
        const source = charges.get(String(t.source)) ?? refunds.get(String(t.source)) ?? null;
        return expand ? { ...t, source } : t;
      });
    return c.json({ object: 'list', data, has_more: false, url: '/v1/balance_transactions' });
  });

  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const fake: FakeStripe = {
    api: { host: '127.0.0.1', port, protocol: 'http' },
    url: `http://127.0.0.1:${port}`,
    requests,
    events,
    paymentIntent: (piId) => intents.get(piId),
    refunds: (piId) => [...refunds.values()].filter((r) => r.payment_intent === piId),
    sendWebhooksTo(to, secret) {
      webhook = { to, secret };
    },
    holdWebhooks() {
      held ??= [];
    },
    async releaseWebhooks() {
      const queue = held ?? [];
      held = null;
      for (const event of queue) await deliver(event);
    },
    dropResponseOnce(pathPrefix) {
      dropOnce.add(pathPrefix);
    },
    async dispute(piId, close) {
      const pi = intents.get(piId);
      const ch = pi?.latest_charge ? charges.get(String(pi.latest_charge)) : undefined;
      if (!pi || !ch) throw new Error(`fake stripe: ${piId} has no charge to dispute`);
      const d = dispute(pi, ch);
      ch.disputed = true;
      emit('charge.dispute.created', d);
      if (close) {
        d.status = close;
        emit('charge.dispute.closed', d);
      }
      return d;
    },
    async authenticate(piId, approve) {
      const pi = intents.get(piId);
      if (pi?.status !== 'requires_action')
        throw new Error(`fake stripe: ${piId} is not in 3-D Secure`);
      pi.next_action = null;
      if (approve) settle(pi);
      else {
        pi.status = 'requires_payment_method';
        pi.last_payment_error = {
          type: 'invalid_request_error',
          code: 'payment_intent_authentication_failure',
          message: 'We are unable to authenticate your payment method.',
        } as Stripe.PaymentIntent.LastPaymentError;
        emit('payment_intent.payment_failed', pi);
      }
      return pi;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };

  // Stripe.js's 3-D Secure frame, faked: the browser tells the fake the bank's answer.
  app.post('/__fake/authenticate/:id', async (c) => {
    const pi = intents.get(c.req.param('id'));
    if (pi?.status !== 'requires_action' || form(c).get('client_secret') !== pi.client_secret) {
      return c.json({ error: { type: 'invalid_request_error' } }, 400);
    }
    return c.json(await fake.authenticate(pi.id, form(c).get('result') === 'approve'));
  });

  return fake;
}
