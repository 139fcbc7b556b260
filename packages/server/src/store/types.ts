import type {
  CardBrand,
  EventType,
  PaymentIntentStatus,
  PaymentMethodType,
  WebhookDeliveryStatus,
} from '@kassa/protocol';

export interface MerchantRow {
  id: string;
  name: string;
  allowedOrigins: string[];
  createdAt: number;
}

export interface ApiKeyRow {
  id: string;
  merchantId: string;
  livemode: boolean;
  kind: 'publishable' | 'secret';
  /** The publishable key itself (it is public); null for secret keys. */
  publishableKey: string | null;
  /** SHA-256 of a secret key, hex; null for publishable keys. */
  secretHash: string | null;
  /** The last four characters, to tell keys apart in lists. */
  last4: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface CustomerData {
  id?: string;
  email?: string;
  name?: string;
  phone?: string;
}

export interface PaymentErrorData {
  code: string;
  decline_code?: string;
  message: string;
  payment_attempt: string;
}

export interface NextActionData {
  type: 'three_d_secure' | 'redirect' | 'upi_intent';
  url: string;
  /** Test mode: the sandbox's stand-in for the shopper's UPI app. */
  test_url?: string;
}

export interface IntentRow {
  id: string;
  merchantId: string;
  livemode: boolean;
  amount: number;
  currency: string;
  status: PaymentIntentStatus;
  orderId: string;
  description: string | null;
  customer: CustomerData | null;
  metadata: Record<string, string>;
  captureMethod: 'automatic' | 'manual';
  paymentMethodTypes: PaymentMethodType[];
  clientSecret: string;
  returnUrl: string | null;
  processor: string;
  amountCapturable: number;
  amountReceived: number;
  amountRefunded: number;
  lastPaymentError: PaymentErrorData | null;
  nextAction: NextActionData | null;
  latestAttemptId: string | null;
  failedAttempts: number;
  /** A capture or cancel under way at the processor, claimed in the database so the two
   * exclude each other across processes; null when none is. */
  operation: 'capture' | 'cancel' | null;
  cancellationReason: string | null;
  canceledAt: number | null;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
}

export type AttemptStatus =
  | 'pending'
  | 'requires_action'
  | 'processing'
  | 'authorized'
  | 'succeeded'
  | 'failed'
  | 'returned';

export interface AttemptRow {
  id: string;
  intentId: string;
  merchantId: string;
  status: AttemptStatus;
  methodType: PaymentMethodType;
  cardBrand: CardBrand | null;
  cardLast4: string | null;
  cardExpMonth: number | null;
  cardExpYear: number | null;
  cardFingerprint: string | null;
  upiVpa: string | null;
  /** Keyed hash of the shopper's address group: attempt limits per client. */
  clientKey: string | null;
  processor: string;
  processorReference: string | null;
  declineCode: string | null;
  failureMessage: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EventRow {
  id: string;
  merchantId: string;
  livemode: boolean;
  type: EventType;
  objectId: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface IdempotencyRow {
  merchantId: string;
  key: string;
  requestHash: string;
  status: 'running' | 'done';
  responseStatus: number | null;
  responseBody: string | null;
  /** The request holding the key; later writes are fenced on it. */
  token: string;
  /** Past this the holder is presumed gone and a retry may take the key over. */
  lockedUntil: number;
  /** What the request committed under this key (intent, refund or attempt id). */
  objectId: string | null;
  createdAt: number;
  expiresAt: number;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface JobRow {
  id: string;
  kind: string;
  /** The merchant the job works for; null for the gateway's own work. */
  merchantId: string | null;
  /** Jobs sharing a key (a webhook endpoint) run at most `keyLimit` at once. */
  concurrencyKey: string | null;
  payload: Record<string, unknown>;
  status: JobStatus;
  runAt: number;
  attempts: number;
  lockedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookEndpointRow {
  id: string;
  merchantId: string;
  livemode: boolean;
  url: string;
  description: string | null;
  enabledEvents: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  failing: boolean;
  secret: string;
  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  deletedAt: number | null;
}

/** One list of delivery statuses: the protocol's. */
export type DeliveryStatus = WebhookDeliveryStatus;

export interface WebhookDeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  merchantId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttemptRow {
  deliveryId: string;
  attemptedAt: number;
  responseStatus: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

export interface RefundRow {
  id: string;
  merchantId: string;
  livemode: boolean;
  intentId: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  reason: string | null;
  failureReason: string | null;
  processorReference: string | null;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface ReconciliationRunRow {
  id: string;
  /** Null for a run over every merchant (the CLI and the daily schedule). */
  merchantId: string | null;
  /** The mode a merchant's run covers; null for a run over every merchant. */
  livemode: boolean | null;
  date: string;
  report: Record<string, unknown>;
  createdAt: number;
}

/** A merchant's account at a processor for one mode, its credentials sealed. */
export interface ProcessorAccountRow {
  id: string;
  merchantId: string;
  processor: string;
  livemode: boolean;
  sealed: string;
  hints: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface ProcessorNotificationRow {
  processor: string;
  notificationId: string;
  reference: string;
  payload: string;
  receivedAt: number;
}

/** Where a row sits in a newest-first list: (createdAt, id). */
export interface Keyset {
  createdAt: number;
  id: string;
}

/** One page of a newest-first list: rows strictly older than `after` or strictly newer
 * than `before` (at most one of them), newest first, at most `limit`. */
export interface PageWindow<K = Keyset> {
  after?: K;
  before?: K;
  limit: number;
}

export interface EventListFilter extends PageWindow<number> {
  merchantId: string;
  livemode: boolean;
  typePattern?: string;
  objectId?: string;
  createdGte?: number;
  createdLte?: number;
}

/** Someone who signs in to a merchant's dashboard. */
export interface DashboardUserRow {
  id: string;
  merchantId: string;
  /** Lower-cased; one account per address across the install. */
  email: string;
  /** `scrypt$N$r$p$salt$hash` (base64url): never the password. */
  passwordHash: string;
  /** An owner may refund, capture and change settings; a viewer only reads. */
  role: 'owner' | 'viewer';
  /** A generated password, printed once: it must be replaced at the first sign-in. */
  mustChangePassword: boolean;
  createdAt: number;
}

/** A signed-in dashboard session, by the SHA-256 of the token in its cookie. */
export interface DashboardSessionRow {
  id: string;
  userId: string;
  /** Sent back in X-CSRF-Token on every change the session makes. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end, however active the session. */
  expiresAt: number;
}

export interface OverviewFilter extends OwnerFilter {
  from: number;
  to: number;
  /** Bucket width in ms (an hour or a day); buckets start at multiples of it (UTC). */
  bucketMs: number;
  maxWebhookAttempts: number;
}

export interface OverviewRows {
  intents: { bucket: number; currency: string; count: number; succeeded: number; volume: number }[];
  attempts: { status: string; method: string; declineCode: string | null; count: number }[];
  webhooks: { latencyMs: number; status: number | null }[];
}

export interface IntentListFilter extends PageWindow {
  merchantId: string;
  livemode: boolean;
  status?: PaymentIntentStatus;
  orderId?: string;
  /** The method of the intent's latest attempt. */
  methodType?: AttemptRow['methodType'];
  currency?: string;
  amountGte?: number;
  amountLte?: number;
  createdGte?: number;
  createdLte?: number;
}

/** A merchant's objects of one mode. */
export interface OwnerFilter {
  merchantId: string;
  livemode: boolean;
}

/** What a write may change on a row: never its identity, owner, mode or creation time. */
export type Patch<R> = Partial<Omit<R, 'id' | 'merchantId' | 'livemode' | 'createdAt'>>;

/** How many keyed jobs may run at once, counted over every worker from the database. */
export interface ClaimBounds {
  /** Jobs of one concurrency key (a webhook endpoint) running at once. */
  perKey: number;
  /** Keys are `group/key`: jobs of one group (a merchant) running at once. */
  perGroup?: number;
  /** At most this many keyed jobs in this claim (this worker keeps room for others). */
  keyedRoom?: number;
}

/**
 * Everything a read may see, grouped by aggregate. Every method is async so that a
 * networked store (PostgreSQL) implements the same interface. Lists are newest first.
 */
export interface StoreRead {
  // Settings
  getSetting(key: string): Promise<string | null>;

  // Merchants and their keys and processor accounts
  getMerchant(id: string): Promise<MerchantRow | null>;
  findKeyBySecretHash(hash: string): Promise<ApiKeyRow | null>;
  findKeyByPublishable(key: string): Promise<ApiKeyRow | null>;
  /** A merchant's keys of a mode, newest first (revoked ones too). */
  listApiKeys(merchantId: string, livemode: boolean): Promise<ApiKeyRow[]>;
  /** The merchant's newest unrevoked secret key of a mode. */
  findActiveSecretKey(merchantId: string, livemode: boolean): Promise<ApiKeyRow | null>;
  getProcessorAccount(id: string): Promise<ProcessorAccountRow | null>;
  /** A merchant's accounts, or (null) every merchant's: for start's checks and reports. */
  listProcessorAccounts(merchantId: string | null): Promise<ProcessorAccountRow[]>;

  // Dashboard users and sessions
  getDashboardUser(id: string): Promise<DashboardUserRow | null>;
  findDashboardUserByEmail(email: string): Promise<DashboardUserRow | null>;
  getDashboardSession(id: string): Promise<DashboardSessionRow | null>;

  // Payment intents and attempts
  /**
   * Reads by id take an `owner` (a merchant and mode): then another merchant's row, or
   * the other mode's, is not found — the tenancy scope is part of the query, so an API
   * route never sees a row its caller does not own. Internal callers (the worker, a
   * processor's notification) read without one.
   */
  getIntent(id: string, owner?: OwnerFilter): Promise<IntentRow | null>;
  /** The intent of an order that is open or succeeded, if any. */
  findLiveIntentByOrder(
    merchantId: string,
    livemode: boolean,
    orderId: string,
  ): Promise<IntentRow | null>;
  listIntents(filter: IntentListFilter): Promise<IntentRow[]>;
  /** Held (requires_capture) intents last changed before `before`, oldest first. */
  listStaleAuthorizations(before: number, limit: number): Promise<IntentRow[]>;
  /** Intents past their expiry that are still open, oldest first. */
  listExpiredOpenIntents(now: number, limit: number): Promise<IntentRow[]>;
  getAttempt(id: string): Promise<AttemptRow | null>;
  /** Declined attempts on an intent from one client (one the shopper left is not one). */
  countFailedAttempts(intentId: string, clientKey: string): Promise<number>;
  findAttemptByReference(processor: string, reference: string): Promise<AttemptRow | null>;
  /** An intent's attempts, oldest first. */
  listAttemptsOfIntent(intentId: string): Promise<AttemptRow[]>;
  /** Attempts at a processor created in [from, to). */
  listAttemptsBetween(processor: string, from: number, to: number): Promise<AttemptRow[]>;

  // Refunds
  getRefund(id: string, owner?: OwnerFilter): Promise<RefundRow | null>;
  listRefunds(filter: OwnerFilter & { intentId?: string } & PageWindow): Promise<RefundRow[]>;
  /** The refund a processor's refund id belongs to. */
  findRefundByReference(processorReference: string): Promise<RefundRow | null>;

  // Events, webhook endpoints and deliveries
  getEvent(id: string, owner?: OwnerFilter): Promise<(EventRow & { seq: number }) | null>;
  listEvents(filter: EventListFilter): Promise<(EventRow & { seq: number })[]>;
  /** An object's events, oldest first. */
  listEventsForObject(objectId: string): Promise<EventRow[]>;
  getEndpoint(id: string, owner?: OwnerFilter): Promise<WebhookEndpointRow | null>;
  /** All of a merchant's live (undeleted) endpoints of a mode, oldest first. */
  listEndpoints(merchantId: string, livemode: boolean): Promise<WebhookEndpointRow[]>;
  pageEndpoints(filter: OwnerFilter & PageWindow): Promise<WebhookEndpointRow[]>;
  getDelivery(id: string): Promise<WebhookDeliveryRow | null>;
  /** An endpoint's deliveries, each with its event's type. */
  listDeliveries(
    filter: {
      endpointId: string;
      status?: DeliveryStatus;
      createdGte?: number;
      createdLte?: number;
    } & PageWindow,
  ): Promise<(WebhookDeliveryRow & { eventType: EventType })[]>;
  listWebhookAttempts(deliveryIds: string[]): Promise<WebhookAttemptRow[]>;

  // The dashboard's overview
  /** A merchant's figures for [from, to] of one mode: intents per time bucket and
   * currency, attempts by status, method and decline code, and webhook attempts'
   * latencies and answers (the newest `maxWebhookAttempts`). */
  overview(f: OverviewFilter): Promise<OverviewRows>;
  /** The deliveries of these events (to every endpoint), oldest first. */
  listDeliveriesOfEvents(eventIds: string[]): Promise<WebhookDeliveryRow[]>;

  // Reconciliation
  getReconciliationRun(id: string, owner?: OwnerFilter): Promise<ReconciliationRunRow | null>;
  listReconciliationRuns(filter: OwnerFilter & PageWindow): Promise<ReconciliationRunRow[]>;
  /** The newest run of a date for a merchant, or (null) over every merchant. */
  findReconciliationRun(
    date: string,
    merchantId: string | null,
  ): Promise<ReconciliationRunRow | null>;

  // Idempotency keys
  getIdempotency(merchantId: string, key: string): Promise<IdempotencyRow | null>;

  // Jobs
  /** Queued, running, retrying and dead jobs per kind, with the oldest due job's run_at;
   * one merchant's only. */
  /** Jobs by kind and status, for one merchant, or for every job (null: an operator's
   * view, system jobs included). */
  jobStats(
    merchantId: string | null,
  ): Promise<{ kind: string; status: string; retrying: number; count: number; oldest: number }[]>;
}

/**
 * Everything a write transaction may do, besides reading. Writes that others may race are
 * condition-checked in the database: they report (false, null) when the row moved on, and
 * the caller decides what that means; none reads, checks and writes in two steps.
 */
export interface StoreTx extends StoreRead {
  // Settings
  setSetting(key: string, value: string): Promise<void>;
  /** Inserts a setting that does not exist yet; false if it does (a once-only claim). */
  claimSetting(key: string, value: string): Promise<boolean>;

  // Merchants
  insertMerchant(row: MerchantRow): Promise<void>;
  /** A merchant's name or allowed origins, as configured again. */
  updateMerchant(
    id: string,
    patch: Partial<Pick<MerchantRow, 'name' | 'allowedOrigins'>>,
  ): Promise<void>;
  insertApiKey(row: ApiKeyRow): Promise<void>;
  /** Ends a key at `at` (now, or later: a grace period) if nothing ended it yet; false if
   * it was already ended (another roll won). */
  revokeApiKey(id: string, at: number): Promise<boolean>;
  /** Brings a key's expiry forward to `at` (never later than it already is): "expire now"
   * for a rolled key still in its grace period, or for the current one. */
  expireApiKey(id: string, at: number): Promise<boolean>;
  /** Adds the merchant's account at a processor for that mode, or replaces its
   * credentials (keeping its id and creation time); returns the stored row. */
  saveProcessorAccount(row: ProcessorAccountRow): Promise<ProcessorAccountRow>;

  // Dashboard users and sessions
  /** Adds a user; false if the email already has an account. */
  insertDashboardUser(row: DashboardUserRow): Promise<boolean>;
  /** Replaces a password (and clears `mustChangePassword`) only if the hash is still
   * `fromHash`: of two changes at once, one wins. */
  changeDashboardPassword(id: string, fromHash: string, toHash: string): Promise<boolean>;
  insertDashboardSession(row: DashboardSessionRow): Promise<void>;
  /** Marks a session used at `now` if it is still alive: used since `idleSince` and not
   * past its absolute end; false (and nothing written) otherwise. */
  touchDashboardSession(id: string, now: number, idleSince: number): Promise<boolean>;
  /** Ends one session, every session of a user (sign out everywhere), or every session
   * already over (past its end at `now`, or unused since `idleSince`); how many. */
  deleteDashboardSessions(
    which: { id: string } | { userId: string } | { now: number; idleSince: number },
  ): Promise<number>;

  // Payment intents and attempts
  /** Inserts an intent; false if its order already has an open or paid intent (the
   * database's unique index decided, whoever inserted first). */
  insertIntent(row: IntentRow): Promise<boolean>;
  /** Writes `patch` only if the intent is still in status `from`; false if it moved. */
  updateIntent(id: string, from: IntentRow['status'], patch: Patch<IntentRow>): Promise<boolean>;
  /** Claims a capture or cancel: sets `operation` only if the intent is in `status` and
   * no operation is under way (or the same one, to resume it). False otherwise. */
  claimIntentOperation(
    id: string,
    operation: 'capture' | 'cancel',
    status: IntentRow['status'],
    now: number,
  ): Promise<boolean>;
  /** Clears a claimed operation that did not move the intent (the processor refused). */
  releaseIntentOperation(id: string, operation: 'capture' | 'cancel'): Promise<void>;
  /** Adds `amount` to the refunded amount in one statement, only if the intent succeeded
   * and that much is still unrefunded; the intent as it now is, or null. */
  reserveRefund(intentId: string, amount: number, now: number): Promise<IntentRow | null>;
  /** Gives back a failed refund's amount (never below zero). */
  returnRefund(intentId: string, amount: number, now: number): Promise<void>;
  insertAttempt(row: AttemptRow): Promise<void>;
  updateAttempt(id: string, patch: Patch<AttemptRow>): Promise<void>;

  // Refunds
  insertRefund(row: RefundRow): Promise<void>;
  /** Writes `patch` only if the refund is still in status `from`; false if it moved (a
   * webhook and the job settling it at once: one of them wins). */
  updateRefund(id: string, from: RefundRow['status'], patch: Patch<RefundRow>): Promise<boolean>;

  // Events, webhook endpoints and deliveries
  insertEvent(row: EventRow): Promise<void>;
  insertEndpoint(row: WebhookEndpointRow): Promise<void>;
  updateEndpoint(id: string, patch: Patch<WebhookEndpointRow>): Promise<void>;
  insertDelivery(row: WebhookDeliveryRow): Promise<void>;
  /** Writes `patch`; with `from`, only if the delivery is still in that status (two
   * retries of one dead delivery at once: one of them queues it). False if nothing changed. */
  updateDelivery(
    id: string,
    patch: Patch<WebhookDeliveryRow>,
    from?: WebhookDeliveryRow['status'],
  ): Promise<boolean>;
  insertWebhookAttempt(row: WebhookAttemptRow): Promise<void>;
  /** Stores an inbound notification; false if this one was seen before. */
  insertProcessorNotification(row: ProcessorNotificationRow): Promise<boolean>;

  // The overview's rollups
  /** Folds up to `limit` of the overview's oldest changes (per rollup) into its hourly
   * rows; how many it folded, of the fuller rollup. Safe beside another fold. */
  foldStats(limit: number): Promise<number>;

  // Reconciliation
  insertReconciliationRun(row: ReconciliationRunRow): Promise<void>;

  // Idempotency keys
  /** Inserts a running key; false if the key already exists. */
  claimIdempotency(row: IdempotencyRow): Promise<boolean>;
  /** Records the object a running request committed, in that same transaction; false
   * when the request no longer holds the key (another took it over). */
  bindIdempotency(
    merchantId: string,
    key: string,
    token: string,
    objectId: string,
  ): Promise<boolean>;
  /** Updates the key only while `token` still holds it (a takeover passes a new token);
   * false if the key moved meanwhile. */
  updateIdempotencyHeld(
    merchantId: string,
    key: string,
    token: string,
    patch: Partial<Omit<IdempotencyRow, 'merchantId' | 'key'>>,
  ): Promise<boolean>;
  deleteIdempotencyHeld(merchantId: string, key: string, token: string): Promise<void>;
  purgeIdempotency(now: number): Promise<number>;

  // Rate limits
  /** Counts one hit in a fixed window; returns the count in the current window. */
  hitRateLimit(key: string, windowStart: number): Promise<number>;
  /** Drops counters of windows that started before `before`. */
  purgeRateLimits(before: number): Promise<number>;

  // Jobs
  enqueueJob(row: JobRow): Promise<void>;
  /**
   * Marks up to `limit` due jobs running until `lockUntil` and returns them, oldest
   * first. Keyed jobs are bounded by `bounds`, counted over the jobs running in the
   * database (every worker's), so two workers claiming at once cannot exceed them.
   * Jobs whose lock ran out (their worker died) are taken over.
   */
  claimJobs(now: number, limit: number, lockUntil: number, bounds: ClaimBounds): Promise<JobRow[]>;
  /**
   * Hands a slot on: marks the oldest due job of `key` running until `lockUntil` and
   * returns it (null when none is due). Only for a worker that ends a running job of the
   * same key in the same transaction, so the running counts `claimJobs` bounds do not
   * change: an endpoint's deliveries follow one another without a claim's scan.
   */
  claimNextForKey(key: string, now: number, lockUntil: number): Promise<JobRow | null>;
  /** Removes a finished job. */
  deleteJob(id: string): Promise<void>;
  updateJob(id: string, patch: Patch<JobRow>): Promise<void>;
}

export interface Store {
  /** Which kind of database: reports and the bench say it. */
  readonly kind: 'sqlite' | 'postgres';
  /** Called after a commit that queued jobs (in any process sharing the database, where
   * the store can tell), so a worker can start on them at once. */
  onJobsCommitted(listener: () => void): void;
  /** Called with an intent's id after a commit that changed it (in any process sharing
   * the database, where the store can tell): the payment page's stream follows it.
   * Returns a function that stops listening. */
  onIntentChanged(listener: (id: string) => void): () => void;
  /** Runs `fn` atomically: all of its writes commit together, or none do. Calling the
   * store again from inside `fn` throws at once (use `tx`). */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs read-only work on committed data; writing is not possible here. */
  read<T>(fn: (tx: StoreRead) => Promise<T>): Promise<T>;
  /** A pooled store's connections: open, idle, and callers waiting for one (metrics). */
  connections?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
