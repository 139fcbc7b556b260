import type { CardBrand, PaymentMethodData, PaymentMethodType } from '@kassa/protocol';

/**
 * What the processor's own record says a payment is for, as it answers a retrieve: the
 * gateway compares it with its intent before any money state moves (amount, currency,
 * mode and the Kassa ids it was opened with), and a payment that differs is never
 * recorded as paid.
 */
export interface PaymentFacts {
  /** In Kassa's minor units of `currency`. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** The processor's mode for this payment, where it says (Stripe's `livemode`). */
  livemode?: boolean;
  /** Kassa's ids the processor keeps on the payment (Stripe's metadata), where it keeps them. */
  kassa?: { intent?: string; attempt?: string; merchant?: string };
  /** Captured so far, where the processor says (a partial capture takes less). */
  amountReceived?: number;
}

/** Where a payment stands at the processor after a call. */
export type ProcessorOutcome = (
  | { status: 'succeeded'; reference: string }
  /** Authorised, funds held, waiting for a capture (manual capture). */
  | { status: 'authorized'; reference: string }
  | { status: 'processing'; reference: string }
  | { status: 'requires_action'; reference: string; action: ProcessorAction }
  /** Opened in the processor's own fields and not yet paid: the shopper is still there. */
  | { status: 'pending'; reference: string }
  | {
      status: 'failed';
      reference: string | null;
      declineCode: string;
      message: string;
      /** The processor keeps this payment open for another try (a declined Stripe
       * PaymentIntent): once Kassa moves on, it is withdrawn there with `cancel`. */
      open?: boolean;
    }
) & {
  /** The processor's record of the payment, where it answered with one. */
  facts?: PaymentFacts;
};

/** Something the shopper must do before the processor can decide. */
export interface ProcessorAction {
  /** `upi_intent`: the shopper pays in their own UPI app, from a QR code or a link. */
  type: 'three_d_secure' | 'redirect' | 'upi_intent';
  /** A page the shopper is sent to (relative paths are resolved against the gateway), or
   * for `upi_intent` the `upi://pay?…` link. Left out when the processor's own fields on
   * the payment page carry the shopper through it (Stripe.js's 3-D Secure): the payment
   * page is then the place to go. */
  url?: string;
  /** Test mode only: a page that stands in for the shopper's app (the sandbox's). */
  testUrl?: string;
}

/**
 * A merchant's own account at a processor (API keys, a webhook signing secret), decrypted
 * by the gateway for one call. Adapters must never log or echo it.
 */
export type ProcessorCredentials = Readonly<Record<string, string>>;

/** Every call carries the merchant's credentials when the adapter asks for them. */
interface Call {
  credentials?: ProcessorCredentials;
}

/** The shopper as the merchant described them on the PaymentIntent (`customer`), for a
 * processor that needs them (Razorpay's UPI) or prefills its own form with them. */
export interface ShopperDetails {
  email?: string;
  phone?: string;
  name?: string;
}

export interface AuthorizeRequest extends Call {
  /** The gateway's attempt id; adapters may use it as their own idempotency key. */
  attemptId: string;
  intentId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  /** Full payment method data. Adapters must not log or keep card numbers or CVCs. */
  paymentMethod: PaymentMethodData;
  /** Card brand as detected by the gateway, when a card. */
  cardBrand?: CardBrand;
  /** Whom the shopper pays, as their UPI app or statement shows it: the merchant's name
   * (given for UPI payments). */
  payee?: string;
  merchantId?: string;
  customer?: ShopperDetails;
}

/** Opens a payment that the processor's own fields on the payment page will complete. */
export interface SessionRequest extends Call {
  /** The gateway's attempt id: the processor's idempotency key, so a repeat opens nothing new. */
  attemptId: string;
  intentId: string;
  merchantId: string;
  amount: number;
  currency: string;
  captureMethod: 'automatic' | 'manual';
  paymentMethodType: PaymentMethodType;
  /** Where the processor sends the shopper back after a redirect it needs (3-D Secure
   * outside a frame, bank pages). */
  returnUrl: string;
  customer?: ShopperDetails;
}

/** What the payment page needs to mount the processor's fields, and its payment's id. */
export interface ProcessorSession {
  reference: string;
  /** Handed to the payment page only, never to the merchant's API: a publishable key and
   * the processor's client secret for this one payment. */
  page: { publishableKey: string; clientSecret: string };
}

export interface ReferenceRequest extends Call {
  reference: string;
  amount: number;
  currency: string;
}

/** A call that moves money: capture, cancel (release) or refund. */
export interface OperationRequest extends ReferenceRequest {
  /** The gateway's id for this operation, passed to the processor's own idempotency: a
   * call repeated with the same id (a retry after a timeout or a crash) moves no money
   * the second time and answers as the first did. */
  operationId: string;
}

/** A refund: the payment, how much, and why (Stripe's and Kassa's reasons). */
export interface RefundRequest extends OperationRequest {
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
}

/** A refund as the processor tells it. */
export interface RefundOutcome {
  status: 'succeeded' | 'pending' | 'failed';
  /** The processor's id of the refund. */
  reference: string;
  /** The processor's reason when it failed (`expired_or_canceled_card`, …). */
  failureReason?: string;
}

/** A refund as the processor's own record has it, for the gateway to check and apply. */
export interface RefundRecord extends RefundOutcome {
  /** In Kassa's minor units of `currency`. */
  amount: number;
  currency: string;
  /** The payment it refunds (the processor's reference). */
  payment: string;
  /** The Kassa operation (refund) id the processor keeps on it, where it keeps one. */
  operationId?: string;
  livemode?: boolean;
}

/** A dispute (chargeback) as the processor tells it. */
export interface DisputeReport {
  /** The processor's id of the dispute. */
  reference: string;
  status: 'open' | 'won' | 'lost';
  amount: number;
  currency: string;
  /** The processor's reason code, e.g. `fraudulent`. */
  reason: string;
  /** The payment it disputes (the processor's reference), where the record names it. */
  payment?: string;
  livemode?: boolean;
}

/**
 * An inbound processor notification after the adapter verified it: how a payment, a
 * refund or a dispute stands, or one the gateway has no use for (acknowledged, dropped).
 * `id` is the processor's id of the notification, used to drop duplicates; `reference`
 * is the payment's.
 */
export type ProcessorNotification = (
  | { kind: 'payment'; id: string; reference: string; outcome: ProcessorOutcome }
  | {
      kind: 'refund';
      id: string;
      reference: string;
      refund: RefundOutcome;
      /** The Kassa refund id the processor keeps on the refund (its metadata). */
      operationId?: string;
    }
  | { kind: 'dispute'; id: string; reference: string; dispute: DisputeReport }
  | { kind: 'ignored'; id: string; type: string }
) & {
  /** The mode the notification says it is of, where the processor says (Stripe's
   * `livemode`): a notification of the other mode than the account verifying it is refused. */
  livemode?: boolean;
};

/** One field of a merchant's account at a processor, as `kassa processors set` asks for it. */
export interface CredentialField {
  name: string;
  /** Secrets are stored encrypted and never shown again; the others are shown on request. */
  secret: boolean;
  /** Required fields must be set before the adapter serves the merchant. */
  required: boolean;
  /** Checks a value's shape, e.g. that a Stripe secret key starts with `sk_`. */
  pattern?: RegExp;
  description: string;
}

export interface SettlementRow {
  reference: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed' | 'refunded';
  settled_at: number;
}

/** Who collects a method's payment details: Kassa's own forms, or the processor's fields. */
export type Collector = 'kassa' | 'processor';

/** Who collects this method's payment details at this adapter (`kassa` unless it says). */
export function collectorOf(
  capabilities: ProcessorCapabilities,
  method: PaymentMethodType,
): Collector {
  const f = capabilities.fields;
  return typeof f === 'string' ? f : (f[method] ?? 'kassa');
}

/** What an adapter can do; the gateway checks these before calling optional methods. */
export interface ProcessorCapabilities {
  /** Which keys it serves: a test double takes only test mode, a real processor both. */
  modes: readonly ('test' | 'live')[];
  paymentMethods: readonly PaymentMethodType[];
  manualCapture: boolean;
  partialCapture: boolean;
  refunds: boolean;
  threeDSecure: boolean;
  /**
   * Who collects the shopper's payment details: `kassa` (the gateway's own card and UPI
   * forms; the adapter implements `authorize`) or `processor` (its own fields on the
   * payment page; the adapter implements `openSession` and the card never reaches us);
   * or per method, when it differs (Razorpay: its Checkout for cards, Kassa's UPI form).
   */
  fields: Collector | Readonly<Partial<Record<PaymentMethodType, Collector>>>;
  /** The webhook events to subscribe to at the processor, shown when an account is saved. */
  webhookEvents?: readonly string[];
  /**
   * `cancel` also withdraws a payment still waiting for the shopper (3-D Secure, a UPI
   * collect request, a payment opened in the processor's fields), so a shopper who leaves
   * it cannot be charged for it later. Without it, Kassa watches the abandoned payment and
   * gives back any money it takes late.
   */
  cancelPending?: boolean;
  /** A merchant's own account the adapter needs, per mode; none: it serves every merchant. */
  credentials?: readonly CredentialField[];
  /** How long the processor keeps an authorisation (a held payment) before it lapses by
   * itself; the gateway releases holds before then. */
  authorizationWindowMs?: number;
  /** Content-Security-Policy sources the processor's fields need on the payment page. */
  pageSources?: { script: readonly string[]; frame: readonly string[]; connect: readonly string[] };
}

/**
 * A processor adapter: an id, its capabilities and `retrieve`; `authorize` or
 * `openSession` by who collects the payment details; the rest optional and declared in
 * `capabilities`. Adapters do no I/O at import; they are built by a factory.
 *
 * @example
 * const processor: Processor = {
 *   id: 'acme',
 *   capabilities: { modes: ['test', 'live'], paymentMethods: ['card'], manualCapture: false, partialCapture: false,
 *                   refunds: false, threeDSecure: false, fields: 'kassa' },
 *   async authorize(req) { return { status: 'succeeded', reference: `acme_${req.attemptId}` } },
 *   async retrieve({ reference }) { return { status: 'succeeded', reference } },
 * };
 */
export interface Processor {
  readonly id: string;
  readonly capabilities: ProcessorCapabilities;
  /** The mode a merchant's credentials belong to (a Stripe `sk_live_` key is live), so a
   * live key can never be saved as test or the other way round; null if it cannot tell. */
  modeOfCredentials?(credentials: ProcessorCredentials): 'test' | 'live' | null;
  /** Why the processor cannot take this amount in this currency, or null. */
  amountProblem?(amount: number, currency: string): string | null;
  /** Starts a payment from Kassa's own form (`fields: 'kassa'`). Must be safe to call
   * again with the same attemptId. */
  authorize?(req: AuthorizeRequest): Promise<ProcessorOutcome>;
  /** Opens a payment for the processor's own fields (`fields: 'processor'`). Safe to call
   * again with the same attemptId: the same payment comes back. */
  openSession?(req: SessionRequest): Promise<ProcessorSession>;
  /** Where a payment stands now: for async outcomes, expiry checks and reconciliation. */
  retrieve(req: ReferenceRequest): Promise<ProcessorOutcome>;
  /**
   * Checks what the processor's own fields handed the page when the shopper finished
   * (Razorpay Checkout's signed payment id): false when it is forged. The gateway asks the
   * processor how the payment stands either way; this only refuses a forgery early.
   */
  verifySessionResult?(
    req: Call & { reference: string; result: Readonly<Record<string, string>> },
  ): boolean;
  /** Continues after the shopper's action (3-D Secure, redirect) with what it returned. */
  continueAfterAction?(req: ReferenceRequest & { result: string }): Promise<ProcessorOutcome>;
  capture?(req: OperationRequest): Promise<ProcessorOutcome>;
  cancel?(req: OperationRequest): Promise<{ canceled: boolean }>;
  refund?(req: RefundRequest): Promise<RefundOutcome>;
  /**
   * A refund as the processor's record has it now: by its reference, or (no reference
   * yet: the answer to `refund` was lost) by the operation id it was made with; null when
   * the processor has no such refund. For refunds that settle later and for checking a
   * refund notification before it is believed.
   */
  retrieveRefund?(
    req: Call & { reference: string | null; payment: string; operationId: string },
  ): Promise<RefundRecord | null>;
  /** A dispute as the processor's record has it now, before a notification of it is believed. */
  retrieveDispute?(req: Call & { reference: string }): Promise<DisputeReport>;
  /** Verifies and parses an inbound notification; throws if it is not authentic. */
  parseNotification?(req: {
    credentials?: ProcessorCredentials;
    headers: Record<string, string>;
    rawBody: string;
    now: number;
  }): Promise<ProcessorNotification>;
  settlementReport?(req: {
    credentials?: ProcessorCredentials;
    from: number;
    to: number;
  }): Promise<SettlementRow[]>;
}

/** What the gateway offers an adapter's pages (a 3-D Secure page, an external app). */
export interface ProcessorPageContext {
  /** The request path below `/processors/<id>/`, without a leading slash. */
  path: string;
  /** The payment behind a reference, for display; null if the gateway does not know it. */
  describe(
    reference: string,
  ): Promise<{ amount: number; currency: string; merchantName: string } | null>;
  /**
   * Hands the shopper's result to the gateway, which calls `continueAfterAction` and
   * records the outcome. Returns where to send the shopper next, if anywhere.
   */
  completeAction(reference: string, result: string): Promise<{ returnUrl: string | null }>;
  /**
   * Hands the gateway a notification exactly as the processor would POST it to
   * `/v1/processor_webhooks/<id>`: it is verified, deduplicated and applied the same way.
   */
  deliverNotification(headers: Record<string, string>, rawBody: string): Promise<void>;
}

/** Optional: adapters that serve pages to shoppers implement this. */
export interface ProcessorPages {
  handlePage(request: Request, ctx: ProcessorPageContext): Promise<Response | null>;
}
