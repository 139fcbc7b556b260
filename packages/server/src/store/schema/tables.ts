import {
  bool,
  index,
  int,
  int32,
  json,
  rowid,
  serial,
  table,
  text,
  uniqueIndex,
} from './describe.ts';

/**
 * Every table Kassa keeps, described once: both dialects' drizzle schemas (and so their
 * migrations) and the stores' row codecs come from here, so the two cannot drift.
 * Changing a table: edit it here, then `pnpm --filter @kassa/server db:generate`.
 */

export const settings = table('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const merchants = table('merchants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  allowedOrigins: json('allowed_origins').notNull(),
  /** UPI collect requests (the shopper types a UPI ID) offered on the payment page: off
   * unless the merchant turns it on (NPCI retired collect for most merchants in 2026). */
  upiCollect: bool('upi_collect').notNull().default(false),
  createdAt: int('created_at').notNull(),
});

export const apiKeys = table(
  'api_keys',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references('merchants'),
    livemode: bool('livemode').notNull(),
    kind: text('kind').notNull(),
    publishableKey: text('publishable_key').unique(),
    secretHash: text('secret_hash').unique(),
    last4: text('last4').notNull(),
    createdAt: int('created_at').notNull(),
    revokedAt: int('revoked_at'),
  },
  { indexes: [index('api_keys_merchant', ['merchantId'])] },
);

export const paymentIntents = table(
  'payment_intents',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references('merchants'),
    livemode: bool('livemode').notNull(),
    amount: int('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    orderId: text('order_id').notNull(),
    description: text('description'),
    customer: json('customer'),
    metadata: json('metadata').notNull(),
    captureMethod: text('capture_method').notNull(),
    paymentMethodTypes: json('payment_method_types').notNull(),
    clientSecret: text('client_secret').notNull(),
    returnUrl: text('return_url'),
    processor: text('processor').notNull(),
    amountCapturable: int('amount_capturable').notNull(),
    amountReceived: int('amount_received').notNull(),
    amountRefunded: int('amount_refunded').notNull(),
    lastPaymentError: json('last_payment_error'),
    nextAction: json('next_action'),
    latestAttemptId: text('latest_attempt_id'),
    failedAttempts: int32('failed_attempts').notNull(),
    /** A capture or cancel claimed in the database while the processor is asked. */
    operation: text('operation'),
    cancellationReason: text('cancellation_reason'),
    canceledAt: int('canceled_at'),
    expiresAt: int('expires_at').notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  {
    indexes: [
      // One open (or paid) intent per order: the order id is an idempotency key.
      uniqueIndex(
        'payment_intents_live_order',
        ['merchantId', 'livemode', 'orderId'],
        "status not in ('failed', 'canceled', 'expired')",
      ),
      index('payment_intents_list', ['merchantId', 'livemode', 'createdAt', 'id']),
      // With the list's order after the order id: a search by order id walks this index
      // in order, rather than the whole list index (1.9 s at a million rows).
      index('payment_intents_order', ['merchantId', 'livemode', 'orderId', 'createdAt', 'id']),
      index(
        'payment_intents_open_expiry',
        ['expiresAt'],
        "status in ('requires_payment_method', 'requires_action')",
      ),
      index('payment_intents_held', ['updatedAt'], "status = 'requires_capture'"),
      // A list filtered by status stays one index walk however rare the status is.
      index('payment_intents_status', ['merchantId', 'livemode', 'status', 'createdAt', 'id']),
    ],
  },
);

export const paymentAttempts = table(
  'payment_attempts',
  {
    id: text('id').primaryKey(),
    intentId: text('intent_id').notNull().references('payment_intents'),
    merchantId: text('merchant_id').notNull(),
    status: text('status').notNull(),
    methodType: text('method_type').notNull(),
    cardBrand: text('card_brand'),
    cardLast4: text('card_last4'),
    cardExpMonth: int32('card_exp_month'),
    cardExpYear: int32('card_exp_year'),
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
  {
    indexes: [
      index('payment_attempts_intent', ['intentId', 'clientKey']),
      index('payment_attempts_created', ['processor', 'createdAt']),
      index('payment_attempts_merchant_created', ['merchantId', 'createdAt']),
      uniqueIndex('payment_attempts_reference', ['processor', 'processorReference']),
      // Attempts whose processor call is under way (or was cut off by a crash): the
      // recovery sweep looks here, so a confirm needs no job of its own.
      index(
        'payment_attempts_in_flight',
        ['createdAt'],
        "status = 'pending' AND processor_reference IS NULL",
      ),
    ],
  },
);

export const events = table(
  'events',
  {
    /** Commit order: the outbox is read in this order. */
    seq: serial('seq'),
    id: text('id').notNull().unique(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    type: text('type').notNull(),
    objectId: text('object_id').notNull(),
    data: json('data').notNull(),
    createdAt: int('created_at').notNull(),
  },
  {
    indexes: [
      index('events_list', ['merchantId', 'livemode', 'seq']),
      index('events_object', ['objectId']),
    ],
  },
);

export const idempotencyKeys = table(
  'idempotency_keys',
  {
    merchantId: text('merchant_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status').notNull(),
    responseStatus: int32('response_status'),
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
  {
    primaryKey: ['merchantId', 'key'],
    indexes: [index('idempotency_expiry', ['expiresAt'])],
  },
);

export const jobs = table(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    merchantId: text('merchant_id'),
    concurrencyKey: text('concurrency_key'),
    payload: json('payload').notNull(),
    status: text('status').notNull(),
    runAt: int('run_at').notNull(),
    attempts: int32('attempts').notNull(),
    lockedUntil: int('locked_until'),
    lastError: text('last_error'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  {
    indexes: [
      // Per endpoint, oldest first: the worker claims each endpoint's due jobs by seeking here.
      index('jobs_key_due', ['status', 'concurrencyKey', 'runAt']),
      index('jobs_locked', ['status', 'lockedUntil']),
    ],
  },
);

export const webhookEndpoints = table(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references('merchants'),
    livemode: bool('livemode').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    enabledEvents: json('enabled_events').notNull(),
    status: text('status').notNull(),
    disabledReason: text('disabled_reason'),
    failing: bool('failing').notNull(),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: int('previous_secret_expires_at'),
    createdAt: int('created_at').notNull(),
    deletedAt: int('deleted_at'),
  },
  { indexes: [index('webhook_endpoints_merchant', ['merchantId', 'livemode'])] },
);

export const webhookDeliveries = table(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id').notNull().references('webhook_endpoints'),
    eventId: text('event_id').notNull(),
    merchantId: text('merchant_id').notNull(),
    status: text('status').notNull(),
    attemptCount: int32('attempt_count').notNull(),
    nextAttemptAt: int('next_attempt_at'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  {
    indexes: [
      index('webhook_deliveries_endpoint', ['endpointId', 'createdAt']),
      index('webhook_deliveries_event', ['eventId']),
    ],
  },
);

export const webhookAttempts = table(
  'webhook_attempts',
  {
    id: serial('id'),
    deliveryId: text('delivery_id').notNull(),
    attemptedAt: int('attempted_at').notNull(),
    responseStatus: int32('response_status'),
    latencyMs: int32('latency_ms').notNull(),
    responseBody: text('response_body'),
    error: text('error'),
  },
  { indexes: [index('webhook_attempts_delivery', ['deliveryId'])] },
);

export const processorNotifications = table(
  'processor_notifications',
  {
    processor: text('processor').notNull(),
    notificationId: text('notification_id').notNull(),
    reference: text('reference').notNull(),
    payload: text('payload').notNull(),
    receivedAt: int('received_at').notNull(),
  },
  { primaryKey: ['processor', 'notificationId'] },
);

/** A merchant's own account at a processor, per mode; its credentials sealed (AES-256-GCM). */
export const processorAccounts = table(
  'processor_accounts',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references('merchants'),
    processor: text('processor').notNull(),
    livemode: bool('livemode').notNull(),
    /** base64 of IV, tag and ciphertext; the key is KASSA_ENCRYPTION_KEY, never stored. */
    sealed: text('sealed').notNull(),
    /** What may be shown of each field: public ones whole, secrets as their last 4. */
    hints: json('hints').notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  { indexes: [uniqueIndex('processor_accounts_one', ['merchantId', 'processor', 'livemode'])] },
);

export const refunds = table(
  'refunds',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull(),
    livemode: bool('livemode').notNull(),
    intentId: text('intent_id').notNull().references('payment_intents'),
    amount: int('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    reason: text('reason'),
    failureReason: text('failure_reason'),
    processorReference: text('processor_reference'),
    metadata: json('metadata').notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  {
    indexes: [
      index('refunds_intent', ['intentId']),
      index('refunds_list', ['merchantId', 'livemode', 'createdAt']),
    ],
  },
);

export const reconciliationRuns = table(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id'),
    livemode: bool('livemode'),
    date: text('date').notNull(),
    report: json('report').notNull(),
    createdAt: int('created_at').notNull(),
  },
  {
    indexes: [
      index('reconciliation_runs_date', ['date', 'merchantId']),
      index('reconciliation_runs_merchant', ['merchantId', 'livemode', 'createdAt']),
    ],
  },
);

/** Fixed-window counters shared by every gateway process (card-testing defence). */
export const rateLimits = table(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: int('window_start').notNull(),
    count: int32('count').notNull(),
  },
  { indexes: [index('rate_limits_window', ['windowStart'])] },
);

/** People who sign in to a merchant's dashboard: an email, a scrypt hash, a role. */
export const dashboardUsers = table(
  'dashboard_users',
  {
    id: text('id').primaryKey(),
    merchantId: text('merchant_id').notNull().references('merchants'),
    email: text('email').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull(),
    /** Set for a generated password: nothing but choosing a new one until then. */
    mustChangePassword: bool('must_change_password').notNull().default(false),
    createdAt: int('created_at').notNull(),
  },
  { indexes: [index('dashboard_users_merchant', ['merchantId'])] },
);

/** Signed-in sessions, by the SHA-256 of their cookie's token (the token is not kept). */
export const dashboardSessions = table(
  'dashboard_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references('dashboard_users'),
    csrfToken: text('csrf_token').notNull(),
    createdAt: int('created_at').notNull(),
    lastSeenAt: int('last_seen_at').notNull(),
    expiresAt: int('expires_at').notNull(),
  },
  { indexes: [index('dashboard_sessions_user', ['userId'])] },
);

/**
 * The overview's figures by hour, kept by the database itself: triggers on
 * payment_intents and payment_attempts append a change to the `*_stats_changes` tables
 * (an insert only: no row two transactions would wait on), and the worker folds those into
 * the `*_stats_hourly` tables. The overview reads hourly rows plus changes not yet folded,
 * so it is exact at any moment and costs hours, not rows.
 */
export const intentStatsHourly = table(
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
  { primaryKey: ['merchantId', 'livemode', 'hour', 'currency'] },
);

export const intentStatsChanges = table('intent_stats_changes', {
  // SQLite's rowid without AUTOINCREMENT (its sequence table is one more write per
  // change): an id may come again once folded, and a fold never spans two transactions.
  id: rowid('id'),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: int('hour').notNull(),
  currency: text('currency').notNull(),
  count: int('count').notNull(),
  succeeded: int('succeeded').notNull(),
  volume: int('volume').notNull(),
});

export const attemptStatsHourly = table(
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
  { primaryKey: ['merchantId', 'livemode', 'hour', 'status', 'method', 'declineCode'] },
);

export const attemptStatsChanges = table('attempt_stats_changes', {
  id: rowid('id'),
  merchantId: text('merchant_id').notNull(),
  livemode: bool('livemode').notNull(),
  hour: int('hour').notNull(),
  status: text('status').notNull(),
  method: text('method').notNull(),
  declineCode: text('decline_code').notNull(),
  count: int('count').notNull(),
});
