import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import Stripe from 'stripe';
import {
  type ReleaseOptions,
  type WebhookTarget,
  webhookOutbox,
} from '../../fakes/webhook-outbox.ts';
import {
  balanceTransaction,
  charge,
  dispute,
  id,
  paymentIntent,
  refund,
  seconds,
} from './objects.ts';

/**
 * A fake Stripe API on 127.0.0.1 for tests with no internet, as strict as Stripe for the
 * endpoints the adapter uses (PaymentIntents, refunds, disputes, balance transactions):
 *
 * - **Accounts.** Every secret or publishable key names an account and a mode
 *   (`sk_test_acme` and `pk_test_acme` are test mode of account `acme`); objects belong to
 *   the account that made them, and another account's key gets Stripe's 404
 *   (`No such payment_intent: 'pi_…'`). Objects and events carry the key's `livemode`.
 * - **Parameters.** Each endpoint takes exactly the top-level parameters the `stripe`
 *   package's types list for it (checked against its `.d.ts` in this fake's own test);
 *   any other answers 400 `parameter_unknown`. Amounts under Stripe's minimum charge
 *   amount answer 400 `amount_too_small`.
 * - **Idempotency.** A key is the account's; its first answer is replayed for the same
 *   method, path and parameters, and anything else with it answers 400 `idempotency_error`.
 *   Validation errors and injected faults are not stored (Stripe's rule).
 * - **Faults, first class.** `fault()` injects what Stripe and the network produce: 500
 *   without acting, 429 with and without `Stripe-Should-Retry`, a hang, an answer dropped
 *   after acting, an idempotency error. Webhooks can be held, then released in order,
 *   reversed, shuffled or duplicated; authorisations can lapse; refunds can settle later
 *   or fail after succeeding; disputes move through Stripe's statuses.
 *
 * @example
 * const fake = await startFakeStripe();
 * const adapter = createStripeProcessor({ api: fake.api });
 * fake.sendWebhooksTo('http://127.0.0.1:4000/v1/processor_webhooks/stripe/pacct_…', 'whsec_…', 'test:acme');
 * fake.fault('/v1/payment_intents/', { kind: 'server_error' });
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
  /** The key's account, `test:acme`; null without a key. */
  account: string | null;
  /** The status the fake answered (0: no answer, the connection was dropped or hung). */
  status?: number;
}

/** What the fake can do to one request instead of (or after) serving it. */
export type FakeStripeFault =
  /** 500 `api_error`, nothing done (stripe-node retries it with the same key). */
  | { kind: 'server_error' }
  /** 429 `rate_limit`, nothing done; `shouldRetry` sets `Stripe-Should-Retry`. */
  | { kind: 'rate_limit'; shouldRetry?: boolean }
  /** No answer at all until the connection is given up by the client. */
  | { kind: 'hang' }
  /** Done, then the connection is dropped before the answer. */
  | { kind: 'drop_after' }
  /** 400 `idempotency_error`, nothing done. */
  | { kind: 'idempotency_error' };

export interface FakeStripe {
  /** For `createStripeProcessor({ api })`: this fake's host, port and protocol. */
  api: { host: string; port: number; protocol: 'http' };
  url: string;
  /** Every request the fake received, oldest first. */
  requests: FakeStripeRequest[];
  /** Every event the fake made, its account, and what the endpoint answered (null: not sent). */
  events: { event: Stripe.Event; account: string; delivered: number | null }[];
  /** Faults injected so far, by kind. */
  faultsInjected: Record<FakeStripeFault['kind'], number>;
  paymentIntent(id: string): Stripe.PaymentIntent | undefined;
  /** Every PaymentIntent and dispute the fake holds, of every account. */
  paymentIntents(): Stripe.PaymentIntent[];
  disputes(): Stripe.Dispute[];
  charge(id: string): Stripe.Charge | undefined;
  refunds(paymentIntent: string): Stripe.Refund[];
  /** The account (`test:acme`) an object belongs to. */
  accountOf(objectId: string): string | undefined;
  /** Limits the currencies an account can charge in (Stripe's presentment currencies). */
  setCurrencies(account: string, currencies: string[] | null): void;
  /** Where the fake POSTs the webhooks of one account (or, without one, of every
   * account), signed with the endpoint's secret. */
  sendWebhooksTo(to: WebhookTarget, secret: string, account?: string): void;
  /** Keeps events back until `releaseWebhooks`. */
  holdWebhooks(): void;
  /** Sends what was held: in order, reversed or shuffled (with `random`), optionally each twice. */
  releaseWebhooks(opts?: ReleaseOptions): Promise<void>;
  /** Sends again every delivery an endpoint did not take, as Stripe's retries would
   * (Stripe retries for up to three days); answers how many were sent. */
  retryFailedWebhooks(): Promise<number>;
  /** Applies `fault` to the next `times` requests whose path starts with `pathPrefix`. */
  fault(
    pathPrefix: string,
    fault: FakeStripeFault,
    opts?: { times?: number; method?: string },
  ): void;
  /** Drops any faults not yet used. */
  clearFaults(): void;
  /** Carries out the next request to this path and then drops the connection unanswered. */
  dropResponseOnce(pathPrefix: string): void;
  /** Refunds settle `now` (Stripe's usual card answer) or stay `pending` until `settleRefund`. */
  refundsSettle(when: 'now' | 'later'): void;
  settleRefund(refundId: string, status: 'succeeded' | 'failed', failureReason?: string): void;
  /** A succeeded refund that fails afterwards (the card was closed): as Stripe reports it. */
  failRefund(refundId: string, failureReason?: string): void;
  /** The authorisation of a held payment lapses (or is released in Stripe's dashboard). */
  expireAuthorization(paymentIntent: string): void;
  /** Opens a dispute on a paid PaymentIntent (and with `close`, decides it). */
  dispute(paymentIntent: string, close?: 'won' | 'lost'): Promise<Stripe.Dispute>;
  /** Moves a dispute to one of Stripe's statuses, with Stripe's event for it. */
  updateDispute(disputeId: string, status: Stripe.Dispute.Status): Stripe.Dispute;
  /** Plays the shopper's bank on a 3-D Secure challenge. */
  authenticate(paymentIntent: string, approve: boolean): Promise<Stripe.PaymentIntent>;
  close(): Promise<void>;
}

/**
 * Each endpoint's top-level parameters, as the `stripe` package's types list them for the
 * pinned API version (`PaymentIntentCreateParams` …; checked in fake-stripe.test.ts).
 */
export const STRIPE_PARAMS = {
  PaymentIntentCreateParams: [
    'amount',
    'currency',
    'allowed_payment_method_types',
    'amount_details',
    'application_fee_amount',
    'automatic_payment_methods',
    'capture_method',
    'confirm',
    'confirmation_method',
    'confirmation_token',
    'customer',
    'customer_account',
    'description',
    'error_on_requires_action',
    'excluded_payment_method_types',
    'expand',
    'hooks',
    'mandate',
    'mandate_data',
    'metadata',
    'off_session',
    'on_behalf_of',
    'payment_details',
    'payment_method',
    'payment_method_configuration',
    'payment_method_data',
    'payment_method_options',
    'radar_options',
    'receipt_email',
    'return_url',
    'setup_future_usage',
    'shipping',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'transfer_data',
    'transfer_group',
    'use_stripe_sdk',
  ],
  PaymentIntentRetrieveParams: ['client_secret', 'expand'],
  PaymentIntentConfirmParams: [
    'allowed_payment_method_types',
    'amount_details',
    'amount_to_confirm',
    'capture_method',
    'confirmation_token',
    'error_on_requires_action',
    'excluded_payment_method_types',
    'expand',
    'hooks',
    'mandate',
    'mandate_data',
    'off_session',
    'payment_details',
    'payment_method',
    'payment_method_data',
    'payment_method_options',
    'radar_options',
    'receipt_email',
    'return_url',
    'setup_future_usage',
    'shipping',
    'use_stripe_sdk',
  ],
  PaymentIntentCaptureParams: [
    'amount_details',
    'amount_to_capture',
    'application_fee_amount',
    'expand',
    'final_capture',
    'hooks',
    'metadata',
    'payment_details',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'transfer_data',
  ],
  PaymentIntentCancelParams: ['cancellation_reason', 'expand'],
  RefundCreateParams: [
    'amount',
    'charge',
    'currency',
    'customer',
    'expand',
    'instructions_email',
    'metadata',
    'origin',
    'payment_intent',
    'reason',
    'refund_application_fee',
    'reverse_transfer',
  ],
  RefundListParams: ['charge', 'created', 'expand', 'payment_intent'],
  RefundRetrieveParams: ['expand'],
  DisputeRetrieveParams: ['expand'],
  BalanceTransactionListParams: ['created', 'currency', 'expand', 'payout', 'source', 'type'],
  /** Every list endpoint's (`PaginationParams`). */
  PaginationParams: ['ending_before', 'limit', 'starting_after'],
} as const;

/** What Stripe.js adds to a confirm made in the browser with a publishable key. */
const BROWSER_PARAMS = ['key', 'client_secret'];

/**
 * Stripe's minimum charge amounts in the currency's smallest unit (Stripe's docs, "Minimum
 * and maximum charge amounts"), for the currencies the tests use; others: 50.
 */
const MINIMUMS: Record<string, number> = {
  usd: 50,
  eur: 50,
  gbp: 30,
  inr: 50,
  jpy: 50,
  chf: 50,
  huf: 17500,
  mxn: 1000,
  hkd: 400,
};

const PI_STATUSES_CAPTURABLE = ['requires_capture'];

/** Starts the fake Stripe on a free port of 127.0.0.1. */
export async function startFakeStripe(): Promise<FakeStripe> {
  const intents = new Map<string, Stripe.PaymentIntent>();
  const charges = new Map<string, Stripe.Charge>();
  const refunds = new Map<string, Stripe.Refund>();
  const disputes = new Map<string, Stripe.Dispute>();
  const owners = new Map<string, string>();
  const balance: { account: string; txn: Stripe.BalanceTransaction }[] = [];
  const replies = new Map<string, { request: string; status: number; body: string }>();
  const requests: FakeStripeRequest[] = [];
  const faults: { prefix: string; method?: string; fault: FakeStripeFault; times: number }[] = [];
  const faultsInjected: FakeStripe['faultsInjected'] = {
    server_error: 0,
    rate_limit: 0,
    hang: 0,
    drop_after: 0,
    idempotency_error: 0,
  };
  const currencies = new Map<string, Set<string>>();
  const hanging = new Set<() => void>();
  let refundsLater = false;

  const own = <T extends { id: string }>(account: string, object: T) => {
    owners.set(object.id, account);
    return object;
  };
  const livemodeOf = (account: string) => account.startsWith('live:');

  const outbox = webhookOutbox<{ event: Stripe.Event; account: string }>({
    body: (record) => JSON.stringify(record.event),
    headers: (_record, payload, secret) => ({
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
    }),
  });

  function emit(type: string, object: Stripe.Event.Data['object'] & { id?: string }) {
    const account = owners.get(String(object.id)) ?? 'test:unknown';
    const event = {
      id: id('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      context: undefined,
      created: seconds(),
      data: { object: structuredClone(object) },
      livemode: livemodeOf(account),
      pending_webhooks: outbox.endpoints.length,
      request: { id: null, idempotency_key: null },
      type,
    } as Stripe.Event;
    outbox.emit({ event, account });
  }

  function settle(pi: Stripe.PaymentIntent) {
    const account = owners.get(pi.id) as string;
    if (pi.capture_method === 'manual') {
      const ch = own(account, charge(pi, null));
      charges.set(ch.id, ch);
      pi.latest_charge = ch.id;
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
      emit('payment_intent.amount_capturable_updated', pi);
      return;
    }
    const ch = own(account, charge(pi, pi.amount));
    charges.set(ch.id, ch);
    balance.push({ account, txn: balanceTransaction(ch, ch.amount_captured) });
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

  type Env = {
    Bindings: HttpBindings;
    Variables: {
      form: URLSearchParams;
      account: string;
      auth: FakeStripeRequest['auth'];
      /** The request failed validation: Stripe stores no idempotent answer for it. */
      validationFailed: boolean;
    };
  };
  const app = new Hono<Env>();

  /** Stripe's error answer; `stored: false` for validation errors (never replayed). */
  const fail = (
    c: Context<Env>,
    status: 400 | 401 | 402 | 404 | 429 | 500,
    error: Partial<Stripe.StripeRawError> & { type: Stripe.RawErrorType; message: string },
  ) => c.json({ error: { ...error, request_log_url: `${fakeUrl}/logs` } }, status);
  const missing = (c: Context<Env>, kind: string, objectId: string, param = 'id') =>
    fail(c, 404, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such ${kind}: '${objectId}'`,
      param,
    });
  const unexpected = (
    c: Context<Env>,
    pi: Stripe.PaymentIntent,
    action: string,
    allowed: string[],
  ) =>
    fail(c, 400, {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `This PaymentIntent could not be ${action} because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be ${action}: ${allowed.join(', ')}.`,
      payment_intent: structuredClone(pi),
    } as never);

  /** The account of a key, `test:acme` for `sk_test_acme`; null if it is not a key. */
  const accountOfKey = (key: string | null | undefined) => {
    const m = /^(?:sk|pk|rk)_(test|live)_([A-Za-z0-9_]+)$/.exec(key ?? '');
    return m ? `${m[1]}:${m[2]}` : null;
  };

  // Stripe's API answers browsers (Stripe.js) from any origin.
  app.use('*', cors({ origin: '*' }));
  // The request log, keys and accounts, faults, idempotent replays, for every call.
  app.use('*', async (c, next) => {
    const body = c.req.method === 'GET' ? new URL(c.req.url).search.slice(1) : await c.req.text();
    const form = new URLSearchParams(body);
    c.set('form', form);
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    const key = bearer || form.get('key');
    const auth = key?.startsWith('pk_') ? 'publishable' : key ? 'secret' : 'none';
    const account = accountOfKey(key);
    const idempotencyKey = c.req.header('idempotency-key') ?? null;
    const entry: FakeStripeRequest = {
      method: c.req.method,
      path: c.req.path,
      body,
      idempotencyKey,
      auth,
      account,
    };
    requests.push(entry);
    if (c.req.path.startsWith('/__fake')) {
      await next();
      return undefined;
    }
    if (!account) {
      return fail(c, 401, {
        type: 'invalid_request_error',
        message: key
          ? `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(8)}`
          : 'You did not provide an API key.',
      });
    }
    c.set('account', account);
    c.set('auth', auth);
    const found = faults.find(
      (f) =>
        c.req.path.startsWith(f.prefix) &&
        (!f.method || f.method === c.req.method) &&
        // Idempotency belongs to POSTs: Stripe never answers a read with it.
        (f.fault.kind !== 'idempotency_error' || c.req.method === 'POST'),
    );
    if (found) {
      found.times -= 1;
      if (found.times <= 0) faults.splice(faults.indexOf(found), 1);
      faultsInjected[found.fault.kind] += 1;
    }
    const fault = found?.fault;
    if (fault?.kind === 'server_error') {
      entry.status = 500;
      return fail(c, 500, { type: 'api_error', message: 'An unknown error occurred.' });
    }
    if (fault?.kind === 'rate_limit') {
      if (fault.shouldRetry !== undefined) {
        c.header('Stripe-Should-Retry', String(fault.shouldRetry));
      }
      entry.status = 429;
      return fail(c, 429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: 'Too many requests hit the API too quickly.',
      });
    }
    if (fault?.kind === 'idempotency_error') {
      entry.status = 400;
      return fail(c, 400, {
        type: 'idempotency_error',
        message: 'There is currently another in-progress request using this Idempotent Key.',
      });
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
    const request = `${c.req.method} ${c.req.path} ${[...form.entries()].sort().join('&')}`;
    const replayKey =
      idempotencyKey && c.req.method === 'POST' ? `${account} ${idempotencyKey}` : null;
    const replay = replayKey ? replies.get(replayKey) : undefined;
    if (replay && replay.request !== request) {
      entry.status = 400;
      return fail(c, 400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      });
    }
    if (replay) {
      c.res = new Response(replay.body, {
        status: replay.status,
        headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
      });
    } else {
      await next();
      const validation = c.get('validationFailed');
      if (replayKey && !validation) {
        replies.set(replayKey, { request, status: c.res.status, body: await c.res.clone().text() });
      }
    }
    entry.status = c.res.status;
    if (fault?.kind === 'drop_after') {
      entry.status = 0;
      c.env.incoming.socket.destroy();
    }
    return undefined;
  });

  const form = (c: Context<Env>) => c.get('form');
  /** Refuses parameters the endpoint does not take (Stripe: 400 `parameter_unknown`). */
  const unknownParam = (c: Context<Env>, allowed: readonly string[]) => {
    const names = new Set<string>();
    for (const k of form(c).keys()) names.add(k.split('[')[0] as string);
    const extra = [...names].find((n) => !allowed.includes(n));
    if (!extra) return null;
    c.set('validationFailed', true);
    return fail(c, 400, {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      message: `Received unknown parameter: ${extra}`,
      param: extra,
    });
  };
  const invalid = (c: Context<Env>, error: Parameters<typeof fail>[2]) => {
    c.set('validationFailed', true);
    return fail(c, 400, error);
  };
  /** The account's own object, or undefined (another account's is not there for it). */
  const mine = <T>(c: Context<Env>, map: Map<string, T>, objectId: string) =>
    owners.get(objectId) === c.get('account') ? map.get(objectId) : undefined;
  const metadataOf = (f: URLSearchParams) =>
    Object.fromEntries(
      [...f.entries()]
        .filter(([k]) => k.startsWith('metadata['))
        .map(([k, v]) => [k.slice(9, -1), v]),
    );
  const browser = (c: Context<Env>) => c.get('auth') === 'publishable';
  /** Stripe.js reads and confirms with the publishable key and the client secret only. */
  const secretOk = (c: Context<Env>, pi: Stripe.PaymentIntent) =>
    !browser(c) || form(c).get('client_secret') === pi.client_secret;

  app.post('/v1/payment_intents', (c) => {
    if (browser(c)) return missing(c, 'payment_intent', '');
    const bad = unknownParam(c, STRIPE_PARAMS.PaymentIntentCreateParams);
    if (bad) return bad;
    const f = form(c);
    const amount = Number(f.get('amount'));
    const currency = f.get('currency') ?? '';
    if (!f.has('amount') || !Number.isInteger(amount) || amount < 1 || !currency) {
      return invalid(c, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        message: `Missing required param: ${!currency ? 'currency' : 'amount'}.`,
        param: !currency ? 'currency' : 'amount',
      });
    }
    const allowed = currencies.get(c.get('account'));
    if (allowed && !allowed.has(currency)) {
      return invalid(c, {
        type: 'invalid_request_error',
        message: `Invalid currency: ${currency}. Stripe currently supports these currencies for this account: ${[...allowed].join(', ')}`,
        param: 'currency',
      });
    }
    const minimum = MINIMUMS[currency] ?? 50;
    if (amount < minimum) {
      return invalid(c, {
        type: 'invalid_request_error',
        code: 'amount_too_small',
        message: `Amount must be at least ${minimum} ${currency} minor units.`,
        param: 'amount',
      });
    }
    if (amount > 99_999_999) {
      return invalid(c, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        message: 'Amount must be no more than 99999999.',
        param: 'amount',
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
      livemode: livemodeOf(c.get('account')),
    });
    intents.set(pi.id, own(c.get('account'), pi));
    return c.json(pi);
  });

  app.get('/v1/payment_intents/:id', (c) => {
    const bad = unknownParam(c, [
      ...STRIPE_PARAMS.PaymentIntentRetrieveParams,
      ...(browser(c) ? BROWSER_PARAMS : []),
    ]);
    if (bad) return bad;
    const pi = mine(c, intents, c.req.param('id'));
    if (!pi || !secretOk(c, pi)) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    return c.json(pi);
  });

  // The call Stripe.js makes from the browser (publishable key + client secret), or the
  // server's own with a test PaymentMethod such as pm_card_visa.
  app.post('/v1/payment_intents/:id/confirm', (c) => {
    const bad = unknownParam(c, [
      ...STRIPE_PARAMS.PaymentIntentConfirmParams,
      ...(browser(c) ? BROWSER_PARAMS : []),
    ]);
    if (bad) return bad;
    const pi = mine(c, intents, c.req.param('id'));
    const f = form(c);
    if (!pi || !secretOk(c, pi)) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    if (!['requires_payment_method', 'requires_confirmation'].includes(pi.status)) {
      return unexpected(c, pi, 'confirmed', ['requires_payment_method', 'requires_confirmation']);
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
      return fail(c, 402, {
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
    if (browser(c)) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    const bad = unknownParam(c, STRIPE_PARAMS.PaymentIntentCaptureParams);
    if (bad) return bad;
    const pi = mine(c, intents, c.req.param('id'));
    if (!pi) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    if (!PI_STATUSES_CAPTURABLE.includes(pi.status)) {
      return unexpected(c, pi, 'captured', PI_STATUSES_CAPTURABLE);
    }
    const f = form(c);
    const amount = Number(f.get('amount_to_capture') ?? pi.amount_capturable);
    if (!Number.isInteger(amount) || amount < 1 || amount > pi.amount_capturable) {
      return invalid(c, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        message: `The amount to capture must be a positive integer no more than ${pi.amount_capturable}.`,
        param: 'amount_to_capture',
      });
    }
    const ch = charges.get(String(pi.latest_charge)) as Stripe.Charge;
    ch.captured = true;
    ch.amount_captured = amount;
    balance.push({ account: c.get('account'), txn: balanceTransaction(ch, amount) });
    Object.assign(pi, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
    emit('payment_intent.succeeded', pi);
    return c.json(pi);
  });

  app.post('/v1/payment_intents/:id/cancel', (c) => {
    if (browser(c)) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    const bad = unknownParam(c, STRIPE_PARAMS.PaymentIntentCancelParams);
    if (bad) return bad;
    const pi = mine(c, intents, c.req.param('id'));
    if (!pi) return missing(c, 'payment_intent', c.req.param('id'), 'intent');
    const cancelable = [
      'requires_payment_method',
      'requires_capture',
      'requires_confirmation',
      'requires_action',
    ];
    if (!cancelable.includes(pi.status)) return unexpected(c, pi, 'canceled', cancelable);
    const reason = form(c).get('cancellation_reason');
    Object.assign(pi, {
      status: 'canceled',
      canceled_at: seconds(),
      amount_capturable: 0,
      cancellation_reason: reason ?? null,
      next_action: null,
    });
    emit('payment_intent.canceled', pi);
    return c.json(pi);
  });

  app.post('/v1/refunds', (c) => {
    if (browser(c)) return missing(c, 'refund', '');
    const bad = unknownParam(c, STRIPE_PARAMS.RefundCreateParams);
    if (bad) return bad;
    const f = form(c);
    const piId = f.get('payment_intent') ?? '';
    const pi = mine(c, intents, piId);
    if (!pi) return missing(c, 'payment_intent', piId, 'payment_intent');
    const ch = pi.latest_charge ? charges.get(String(pi.latest_charge)) : undefined;
    if (!ch?.captured || pi.status !== 'succeeded') {
      return fail(c, 400, {
        type: 'invalid_request_error',
        code: 'charge_not_refundable',
        message: `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        param: 'payment_intent',
      });
    }
    const left = ch.amount_captured - ch.amount_refunded;
    const amount = f.has('amount') ? Number(f.get('amount')) : left;
    const reason = f.get('reason');
    if (reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
      return invalid(c, {
        type: 'invalid_request_error',
        message: `Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer`,
        param: 'reason',
      });
    }
    if (!Number.isInteger(amount) || amount < 1) {
      return invalid(c, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        message: 'Invalid positive integer',
        param: 'amount',
      });
    }
    if (amount > left) {
      return fail(c, 400, {
        type: 'invalid_request_error',
        code: left <= 0 ? 'charge_already_refunded' : 'amount_too_large',
        message:
          left <= 0
            ? `Charge ${ch.id} has already been refunded.`
            : `Refund amount (${amount}) is greater than unrefunded amount on charge (${left}).`,
        param: 'amount',
      });
    }
    const r = own(
      c.get('account'),
      refund(pi, ch, {
        amount,
        metadata: metadataOf(f),
        reason,
        status: refundsLater ? 'pending' : 'succeeded',
      }),
    );
    refunds.set(r.id, r);
    ch.amount_refunded += amount;
    ch.refunded = ch.amount_refunded === ch.amount_captured;
    balance.push({ account: c.get('account'), txn: balanceTransaction(r, -amount) });
    emit('refund.created', r);
    // The charge as Stripe now sends it: without its refunds (list them with /v1/refunds).
    emit('charge.refunded', ch);
    return c.json(r);
  });

  /** One page of a list, newest first, as Stripe pages: `limit` (1–100, 10), `starting_after`. */
  function page<T extends { id: string }>(c: Context<Env>, all: T[], url: string) {
    const f = form(c);
    const limit = f.has('limit') ? Number(f.get('limit')) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return invalid(c, {
        type: 'invalid_request_error',
        message: 'This value must be between 1 and 100.',
        param: 'limit',
      });
    }
    let from = 0;
    const after = f.get('starting_after');
    if (after) {
      const at = all.findIndex((o) => o.id === after);
      if (at < 0) return missing(c, 'object', after, 'starting_after');
      from = at + 1;
    }
    const data = all.slice(from, from + limit);
    return c.json({ object: 'list', data, has_more: from + limit < all.length, url });
  }

  app.get('/v1/refunds', (c) => {
    const bad = unknownParam(c, [
      ...STRIPE_PARAMS.RefundListParams,
      ...STRIPE_PARAMS.PaginationParams,
    ]);
    if (bad) return bad;
    const piId = form(c).get('payment_intent');
    const all = [...refunds.values()]
      .filter((r) => owners.get(r.id) === c.get('account'))
      .filter((r) => !piId || r.payment_intent === piId)
      .reverse();
    return page(c, all, '/v1/refunds');
  });

  app.get('/v1/refunds/:id', (c) => {
    const bad = unknownParam(c, STRIPE_PARAMS.RefundRetrieveParams);
    if (bad) return bad;
    const r = mine(c, refunds, c.req.param('id'));
    return r ? c.json(r) : missing(c, 'refund', c.req.param('id'));
  });

  app.get('/v1/disputes/:id', (c) => {
    const bad = unknownParam(c, STRIPE_PARAMS.DisputeRetrieveParams);
    if (bad) return bad;
    const d = mine(c, disputes, c.req.param('id'));
    return d ? c.json(d) : missing(c, 'dispute', c.req.param('id'), 'dispute');
  });

  app.get('/v1/balance_transactions', (c) => {
    const bad = unknownParam(c, [
      ...STRIPE_PARAMS.BalanceTransactionListParams,
      ...STRIPE_PARAMS.PaginationParams,
    ]);
    if (bad) return bad;
    const f = form(c);
    const gte = Number(f.get('created[gte]') ?? 0);
    const lt = Number(f.get('created[lt]') ?? Number.MAX_SAFE_INTEGER);
    const expand = [...f.entries()].some(
      ([k, v]) => k.startsWith('expand[') && v === 'data.source',
    );
    const all = balance
      .filter((b) => b.account === c.get('account'))
      .map((b) => b.txn)
      .filter((t) => t.created >= gte && t.created < lt)
      .reverse()
      .map((t) => {
        const source = charges.get(String(t.source)) ?? refunds.get(String(t.source)) ?? null;
        return expand ? { ...t, source } : t;
      });
    return page(c, all, '/v1/balance_transactions');
  });

  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const fakeUrl = `http://127.0.0.1:${port}`;

  const mustRefund = (refundId: string) => {
    const r = refunds.get(refundId);
    if (!r) throw new Error(`fake stripe: no refund ${refundId}`);
    return r;
  };
  /** A refund that ends failed gives its amount back to the charge, as Stripe does. */
  function refundFailed(r: Stripe.Refund, failureReason: string) {
    const ch = charges.get(String(r.charge)) as Stripe.Charge;
    ch.amount_refunded -= r.amount;
    ch.refunded = false;
    const account = owners.get(r.id) as string;
    balance.push({ account, txn: balanceTransaction(r, r.amount) });
    Object.assign(r, { status: 'failed', failure_reason: failureReason });
    emit('refund.failed', r);
    emit('refund.updated', r);
  }

  const fake: FakeStripe = {
    api: { host: '127.0.0.1', port, protocol: 'http' },
    url: fakeUrl,
    requests,
    events: outbox.log,
    faultsInjected,
    paymentIntent: (piId) => intents.get(piId),
    paymentIntents: () => [...intents.values()],
    disputes: () => [...disputes.values()],
    charge: (chId) => charges.get(chId),
    refunds: (piId) => [...refunds.values()].filter((r) => r.payment_intent === piId),
    accountOf: (objectId) => owners.get(objectId),
    setCurrencies(account, list) {
      if (list) currencies.set(account, new Set(list.map((x) => x.toLowerCase())));
      else currencies.delete(account);
    },
    sendWebhooksTo: outbox.sendTo,
    holdWebhooks: outbox.hold,
    releaseWebhooks: outbox.release,
    retryFailedWebhooks: outbox.retryFailed,
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
    dropResponseOnce(pathPrefix) {
      fake.fault(pathPrefix, { kind: 'drop_after' });
    },
    refundsSettle(when) {
      refundsLater = when === 'later';
    },
    settleRefund(refundId, status, failureReason = 'declined') {
      const r = mustRefund(refundId);
      if (r.status !== 'pending') throw new Error(`fake stripe: refund ${refundId} is ${r.status}`);
      if (status === 'failed') return refundFailed(r, failureReason);
      r.status = 'succeeded';
      emit('refund.updated', r);
    },
    failRefund(refundId, failureReason = 'expired_or_canceled_card') {
      const r = mustRefund(refundId);
      if (r.status === 'failed') throw new Error(`fake stripe: refund ${refundId} failed already`);
      refundFailed(r, failureReason);
    },
    expireAuthorization(piId) {
      const pi = intents.get(piId);
      if (pi?.status !== 'requires_capture') throw new Error(`fake stripe: ${piId} holds nothing`);
      Object.assign(pi, {
        status: 'canceled',
        canceled_at: seconds(),
        amount_capturable: 0,
        cancellation_reason: 'automatic',
      });
      emit('payment_intent.canceled', pi);
    },
    async dispute(piId, close) {
      const pi = intents.get(piId);
      const ch = pi?.latest_charge ? charges.get(String(pi.latest_charge)) : undefined;
      if (!pi || !ch?.captured) throw new Error(`fake stripe: ${piId} has no charge to dispute`);
      const d = own(owners.get(pi.id) as string, dispute(pi, ch));
      disputes.set(d.id, d);
      ch.disputed = true;
      emit('charge.dispute.created', d);
      if (close) fake.updateDispute(d.id, close);
      return d;
    },
    updateDispute(disputeId, status) {
      const d = disputes.get(disputeId);
      if (!d) throw new Error(`fake stripe: no dispute ${disputeId}`);
      d.status = status;
      const closed = ['won', 'lost', 'warning_closed', 'prevented'].includes(status);
      emit(closed ? 'charge.dispute.closed' : 'charge.dispute.updated', d);
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
        for (const release of hanging) release();
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
