import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type {
  AttemptRow,
  CustomerData,
  DeliveryStatus,
  EventRow,
  IntentRow,
  JobStatus,
  NextActionData,
  PaymentErrorData,
} from '../types.ts';

const bool = (name: string) => boolean(name);
/** Milliseconds since the epoch, and amounts in minor units: past 2^31, within 2^53. */
const int = (name: string) => bigint(name, { mode: 'number' });

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const merchants = pgTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull(),
  createdAt: int('created_at').notNull(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    kind: text('kind').$type<'publishable' | 'secret'>().notNull(),
    publishableKey: text('publishable_key').unique(),
    secretHash: text('secret_hash').unique(),
    last4: text('last4').notNull(),
    createdAt: int('created_at').notNull(),
    revokedAt: int('revoked_at'),
  },
  (t) => [index('api_keys_merchant').on(t.merchantId)],
);

const OPEN_OR_SUCCEEDED = sql`status not in ('failed', 'canceled', 'expired')`;

export const paymentIntents = pgTable(
  'payment_intents',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    amount: int('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<IntentRow['status']>().notNull(),
    orderId: text('order_id').notNull(),
    description: text('description'),
    customer: jsonb('customer').$type<CustomerData>(),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    captureMethod: text('capture_method').$type<'automatic' | 'manual'>().notNull(),
    paymentMethodTypes: jsonb('payment_method_types')
      .$type<IntentRow['paymentMethodTypes']>()
      .notNull(),
    clientSecret: text('client_secret').notNull(),
    returnUrl: text('return_url'),
    processor: text('processor').notNull(),
    amountCapturable: int('amount_capturable').notNull(),
    amountReceived: int('amount_received').notNull(),
    amountRefunded: int('amount_refunded').notNull(),
    lastPaymentError: jsonb('last_payment_error').$type<PaymentErrorData>(),
    nextAction: jsonb('next_action').$type<NextActionData>(),
    latestAttemptId: text('latest_attempt_id'),
    failedAttempts: integer('failed_attempts').notNull(),
    /** A capture or cancel claimed in the database while the processor is asked. */
    operation: text('operation').$type<IntentRow['operation']>(),
    cancellationReason: text('cancellation_reason'),
    canceledAt: int('canceled_at'),
    expiresAt: int('expires_at').notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    // One open (or paid) intent per order: the order id is an idempotency key.
    uniqueIndex('payment_intents_live_order')
      .on(t.merchantId, t.livemode, t.orderId)
      .where(OPEN_OR_SUCCEEDED),
    index('payment_intents_list').on(t.merchantId, t.livemode, t.createdAt, t.id),
    // With the list's order after the order id: a search by order id walks this index
    // in order, rather than the whole list index (1.9 s at a million rows).
    index('payment_intents_order').on(t.merchantId, t.livemode, t.orderId, t.createdAt, t.id),
    index('payment_intents_open_expiry')
      .on(t.expiresAt)
      .where(sql`status in ('requires_payment_method', 'requires_action')`),
    index('payment_intents_held').on(t.updatedAt).where(sql`status = 'requires_capture'`),
  ],
);

export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: text('id').primaryKey(),
    intentId: text('intent_id')
      .notNull()
      .references(() => paymentIntents.id),
    merchantId: text('merchant_id').notNull(),
    status: text('status').$type<AttemptRow['status']>().notNull(),
    methodType: text('method_type').$type<AttemptRow['methodType']>().notNull(),
    cardBrand: text('card_brand').$type<AttemptRow['cardBrand']>(),
    cardLast4: text('card_last4'),
    cardExpMonth: integer('card_exp_month'),
    cardExpYear: integer('card_exp_year'),
    cardFingerprint: text('card_fingerprint'),
    upiVpa: text('upi_vpa'),
    clientKey: text('client_key'),
    processor: text('processor').notNull(),
    processorReference: text('processor_reference'),
    declineCode: text('decline_code'),
    failureMessage: text('failure_message'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    index('payment_attempts_intent').on(t.intentId, t.clientKey),
    index('payment_attempts_created').on(t.processor, t.createdAt),
    index('payment_attempts_merchant_created').on(t.merchantId, t.createdAt),
    uniqueIndex('payment_attempts_reference').on(t.processor, t.processorReference),
  ],
);

export const events = pgTable(
  'events',
  {
    /** Commit order: the outbox is read in this order. */
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    type: text('type').$type<EventRow['type']>().notNull(),
    objectId: text('object_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: int('created_at').notNull(),
  },
  (t) => [
    index('events_list').on(t.merchantId, t.livemode, t.seq),
    index('events_object').on(t.objectId),
  ],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status').$type<'running' | 'done'>().notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    /** Which request holds the key now; a later write is fenced on it. */
    token: text('token').notNull().default(''),
    /** Until when the holder is presumed alive; past it a retry may take the key over. */
    lockedUntil: int('locked_until').notNull().default(0),
    /** The object the request committed (intent, refund, attempt): a retry resumes it. */
    objectId: text('object_id'),
    createdAt: int('created_at').notNull(),
    expiresAt: int('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.key] }),
    index('idempotency_expiry').on(t.expiresAt),
  ],
);

export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    merchantId: text('merchant_id'),
    concurrencyKey: text('concurrency_key'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<JobStatus>().notNull(),
    runAt: int('run_at').notNull(),
    attempts: integer('attempts').notNull(),
    lockedUntil: int('locked_until'),
    lastError: text('last_error'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    // Per endpoint, oldest first: the worker claims each endpoint's due jobs by seeking here.
    index('jobs_key_due').on(t.status, t.concurrencyKey, t.runAt),
    index('jobs_locked').on(t.status, t.lockedUntil),
  ],
);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    enabledEvents: jsonb('enabled_events').$type<string[]>().notNull(),
    status: text('status').$type<'enabled' | 'disabled'>().notNull(),
    disabledReason: text('disabled_reason'),
    failing: bool('failing').notNull(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: int('previous_secret_expires_at'),
    createdAt: int('created_at').notNull(),
    deletedAt: int('deleted_at'),
  },
  (t) => [index('webhook_endpoints_merchant').on(t.merchantId, t.livemode)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id),
    eventId: text('event_id').notNull(),
    merchantId: text('merchant_id').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    attemptCount: integer('attempt_count').notNull(),
    nextAttemptAt: int('next_attempt_at'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    index('webhook_deliveries_endpoint').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_event').on(t.eventId),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: text('delivery_id').notNull(),
    attemptedAt: int('attempted_at').notNull(),
    responseStatus: integer('response_status'),
    latencyMs: integer('latency_ms').notNull(),
    responseBody: text('response_body'),
    error: text('error'),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId)],
);

export const processorNotifications = pgTable(
  'processor_notifications',
  {
    processor: text('processor').notNull(),
    notificationId: text('notification_id').notNull(),
    reference: text('reference').notNull(),
    payload: text('payload').notNull(),
    receivedAt: int('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.processor, t.notificationId] })],
);

/** A merchant's own account at a processor, per mode; its credentials sealed (AES-256-GCM). */
export const processorAccounts = pgTable(
  'processor_accounts',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    processor: text('processor').notNull(),
    livemode: bool('livemode').notNull(),
    /** base64 of IV, tag and ciphertext; the key is KASSA_ENCRYPTION_KEY, never stored. */
    sealed: text('sealed').notNull(),
    /** What may be shown of each field: public ones whole, secrets as their last 4. */
    hints: jsonb('hints').$type<Record<string, string>>().notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [uniqueIndex('processor_accounts_one').on(t.merchantId, t.processor, t.livemode)],
);

export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    intentId: text('intent_id')
      .notNull()
      .references(() => paymentIntents.id),
    amount: int('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<'pending' | 'succeeded' | 'failed'>().notNull(),
    reason: text('reason'),
    failureReason: text('failure_reason'),
    processorReference: text('processor_reference'),
    metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (t) => [
    index('refunds_intent').on(t.intentId),
    index('refunds_list').on(t.merchantId, t.livemode, t.createdAt),
  ],
);

export const reconciliationRuns = pgTable(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id'),
    livemode: bool('livemode'),
    date: text('date').notNull(),
    report: jsonb('report').$type<Record<string, unknown>>().notNull(),
    createdAt: int('created_at').notNull(),
  },
  (t) => [
    index('reconciliation_runs_date').on(t.date, t.merchantId),
    index('reconciliation_runs_merchant').on(t.merchantId, t.livemode, t.createdAt),
  ],
);

/** Fixed-window counters shared by every gateway process (card-testing defence). */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: int('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('rate_limits_window').on(t.windowStart)],
);

/** People who sign in to a merchant's dashboard: an email, a scrypt hash, a role. */
export const dashboardUsers = pgTable(
  'dashboard_users',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    email: text('email').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['owner', 'viewer'] }).notNull(),
    /** Set for a generated password: nothing but choosing a new one until then. */
    mustChangePassword: bool('must_change_password').notNull().default(false),
    createdAt: int('created_at').notNull(),
  },
  (t) => [index('dashboard_users_merchant').on(t.merchantId)],
);

/** Signed-in sessions, by the SHA-256 of their cookie's token (the token is not kept). */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => dashboardUsers.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: int('created_at').notNull(),
    lastSeenAt: int('last_seen_at').notNull(),
    expiresAt: int('expires_at').notNull(),
  },
  (t) => [index('dashboard_sessions_user').on(t.userId)],
);

/**
 * The overview's figures by hour, kept by the database itself: triggers on
 * payment_intents and payment_attempts append a change to the `*_stats_changes` tables
 * (an insert only: no row two transactions would wait on), and the worker folds those into
 * the `*_stats_hourly` tables. The overview reads hourly rows plus changes not yet folded,
 * so it is exact at any moment and costs hours, not rows.
 */
export const intentStatsHourly = pgTable(
  'intent_stats_hourly',
  {
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    hour: int('hour').notNull(),
    currency: text('currency').notNull(),
    count: int('count').notNull(),
    succeeded: int('succeeded').notNull(),
    volume: int('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.livemode, t.hour, t.currency] })],
);

export const intentStatsChanges = pgTable('intent_stats_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: int('hour').notNull(),
  currency: text('currency').notNull(),
  count: int('count').notNull(),
  succeeded: int('succeeded').notNull(),
  volume: int('volume').notNull(),
});

export const attemptStatsHourly = pgTable(
  'attempt_stats_hourly',
  {
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    hour: int('hour').notNull(),
    status: text('status').notNull(),
    method: text('method').notNull(),
    /** '' for none (a key column cannot be null). */
    declineCode: text('decline_code').notNull(),
    count: int('count').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.merchantId, t.livemode, t.hour, t.status, t.method, t.declineCode],
    }),
  ],
);

export const attemptStatsChanges = pgTable('attempt_stats_changes', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: int('hour').notNull(),
  status: text('status').notNull(),
  method: text('method').notNull(),
  declineCode: text('decline_code').notNull(),
  count: int('count').notNull(),
});
