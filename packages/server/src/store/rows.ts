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
  /** The payment page offers UPI collect (a request to a UPI ID); intent and QR always. */
  upiCollect: boolean;
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

/** The group of a concurrency key `group/key` (a merchant); the key itself if none. */
export const groupOf = (key: string) => key.split('/')[0] as string;
