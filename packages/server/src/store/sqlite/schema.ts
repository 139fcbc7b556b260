import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
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

const bool = (name: string) => integer(name, { mode: 'boolean' });

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const merchants = sqliteTable('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer('created_at').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    kind: text('kind', { enum: ['publishable', 'secret'] }).notNull(),
    publishableKey: text('publishable_key').unique(),
    secretHash: text('secret_hash').unique(),
    last4: text('last4').notNull(),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_keys_merchant').on(t.merchantId)],
);

const OPEN_OR_SUCCEEDED = sql`status not in ('failed', 'canceled', 'expired')`;

export const paymentIntents = sqliteTable(
  'payment_intents',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<IntentRow['status']>().notNull(),
    orderId: text('order_id').notNull(),
    description: text('description'),
    customer: text('customer', { mode: 'json' }).$type<CustomerData>(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    captureMethod: text('capture_method', { enum: ['automatic', 'manual'] }).notNull(),
    paymentMethodTypes: text('payment_method_types', { mode: 'json' })
      .$type<IntentRow['paymentMethodTypes']>()
      .notNull(),
    clientSecret: text('client_secret').notNull(),
    returnUrl: text('return_url'),
    processor: text('processor').notNull(),
    amountCapturable: integer('amount_capturable').notNull(),
    amountReceived: integer('amount_received').notNull(),
    amountRefunded: integer('amount_refunded').notNull(),
    lastPaymentError: text('last_payment_error', { mode: 'json' }).$type<PaymentErrorData>(),
    nextAction: text('next_action', { mode: 'json' }).$type<NextActionData>(),
    latestAttemptId: text('latest_attempt_id'),
    failedAttempts: integer('failed_attempts').notNull(),
    /** A capture or cancel claimed in the database while the processor is asked. */
    operation: text('operation').$type<IntentRow['operation']>(),
    cancellationReason: text('cancellation_reason'),
    canceledAt: integer('canceled_at'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
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

export const paymentAttempts = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('payment_attempts_intent').on(t.intentId, t.clientKey),
    index('payment_attempts_created').on(t.processor, t.createdAt),
    index('payment_attempts_merchant_created').on(t.merchantId, t.createdAt),
    uniqueIndex('payment_attempts_reference').on(t.processor, t.processorReference),
  ],
);

export const events = sqliteTable(
  'events',
  {
    /** Commit order: the outbox is read in this order. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    type: text('type').$type<EventRow['type']>().notNull(),
    objectId: text('object_id').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('events_list').on(t.merchantId, t.livemode, t.seq),
    index('events_object').on(t.objectId),
  ],
);

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: ['running', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    /** Which request holds the key now; a later write is fenced on it. */
    token: text('token').notNull().default(''),
    /** Until when the holder is presumed alive; past it a retry may take the key over. */
    lockedUntil: integer('locked_until').notNull().default(0),
    /** The object the request committed (intent, refund, attempt): a retry resumes it. */
    objectId: text('object_id'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.key] }),
    index('idempotency_expiry').on(t.expiresAt),
  ],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    merchantId: text('merchant_id'),
    concurrencyKey: text('concurrency_key'),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<JobStatus>().notNull(),
    runAt: integer('run_at').notNull(),
    attempts: integer('attempts').notNull(),
    lockedUntil: integer('locked_until'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Per endpoint, oldest first: the worker claims each endpoint's due jobs by seeking here.
    index('jobs_key_due').on(t.status, t.concurrencyKey, t.runAt),
    index('jobs_locked').on(t.status, t.lockedUntil),
  ],
);

export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id')
      .notNull()
      .references(() => merchants.id),
    livemode: bool('livemode').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    enabledEvents: text('enabled_events', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: ['enabled', 'disabled'] }).notNull(),
    disabledReason: text('disabled_reason'),
    failing: bool('failing').notNull(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: integer('previous_secret_expires_at'),
    createdAt: integer('created_at').notNull(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('webhook_endpoints_merchant').on(t.merchantId, t.livemode)],
);

export const webhookDeliveries = sqliteTable(
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
    nextAttemptAt: integer('next_attempt_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('webhook_deliveries_endpoint').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_event').on(t.eventId),
  ],
);

export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: text('delivery_id').notNull(),
    attemptedAt: integer('attempted_at').notNull(),
    responseStatus: integer('response_status'),
    latencyMs: integer('latency_ms').notNull(),
    responseBody: text('response_body'),
    error: text('error'),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId)],
);

export const processorNotifications = sqliteTable(
  'processor_notifications',
  {
    processor: text('processor').notNull(),
    notificationId: text('notification_id').notNull(),
    reference: text('reference').notNull(),
    payload: text('payload').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.processor, t.notificationId] })],
);

/** A merchant's own account at a processor, per mode; its credentials sealed (AES-256-GCM). */
export const processorAccounts = sqliteTable(
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
    hints: text('hints', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('processor_accounts_one').on(t.merchantId, t.processor, t.livemode)],
);

export const refunds = sqliteTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    intentId: text('intent_id')
      .notNull()
      .references(() => paymentIntents.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull(),
    reason: text('reason'),
    failureReason: text('failure_reason'),
    processorReference: text('processor_reference'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('refunds_intent').on(t.intentId),
    index('refunds_list').on(t.merchantId, t.livemode, t.createdAt),
  ],
);

export const reconciliationRuns = sqliteTable(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id'),
    livemode: bool('livemode'),
    date: text('date').notNull(),
    report: text('report', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('reconciliation_runs_date').on(t.date, t.merchantId),
    index('reconciliation_runs_merchant').on(t.merchantId, t.livemode, t.createdAt),
  ],
);

/** Fixed-window counters shared by every gateway process (card-testing defence). */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('rate_limits_window').on(t.windowStart)],
);

/** People who sign in to a merchant's dashboard: an email, a scrypt hash, a role. */
export const dashboardUsers = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('dashboard_users_merchant').on(t.merchantId)],
);

/** Signed-in sessions, by the SHA-256 of their cookie's token (the token is not kept). */
export const dashboardSessions = sqliteTable(
  'dashboard_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => dashboardUsers.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
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
export const intentStatsHourly = sqliteTable(
  'intent_stats_hourly',
  {
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    hour: integer('hour').notNull(),
    currency: text('currency').notNull(),
    count: integer('count').notNull(),
    succeeded: integer('succeeded').notNull(),
    volume: integer('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.livemode, t.hour, t.currency] })],
);

export const intentStatsChanges = sqliteTable('intent_stats_changes', {
  // The rowid, without AUTOINCREMENT (its sequence table is one more write per change):
  // an id may come again once folded, and a fold never spans two transactions.
  id: integer('id').primaryKey(),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: integer('hour').notNull(),
  currency: text('currency').notNull(),
  count: integer('count').notNull(),
  succeeded: integer('succeeded').notNull(),
  volume: integer('volume').notNull(),
});

export const attemptStatsHourly = sqliteTable(
  'attempt_stats_hourly',
  {
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    hour: integer('hour').notNull(),
    status: text('status').notNull(),
    method: text('method').notNull(),
    /** '' for none (a key column cannot be null). */
    declineCode: text('decline_code').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.merchantId, t.livemode, t.hour, t.status, t.method, t.declineCode],
    }),
  ],
);

export const attemptStatsChanges = sqliteTable('attempt_stats_changes', {
  id: integer('id').primaryKey(),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: integer('hour').notNull(),
  status: text('status').notNull(),
  method: text('method').notNull(),
  declineCode: text('decline_code').notNull(),
  count: integer('count').notNull(),
});
