import type { CardBrand, PaymentMethodData, PaymentMethodType } from '@kassa/protocol';

/** Where a payment stands at the processor after a call. */
export type ProcessorOutcome =
  | { status: 'succeeded'; reference: string }
  /** Authorised, funds held, waiting for a capture (manual capture). */
  | { status: 'authorized'; reference: string }
  | { status: 'processing'; reference: string }
  | { status: 'requires_action'; reference: string; action: ProcessorAction }
  | { status: 'failed'; reference: string | null; declineCode: string; message: string };

/** Something the shopper must do before the processor can decide. */
export interface ProcessorAction {
  type: 'three_d_secure' | 'redirect';
  /** A page the shopper is sent to; relative paths are resolved against the gateway. */
  url: string;
}

export interface AuthorizeRequest {
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
}

export interface ReferenceRequest {
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

/** An inbound processor notification after the adapter verified it. */
export interface ProcessorNotification {
  /** The processor's id of this notification, used to drop duplicates. */
  id: string;
  reference: string;
  outcome: ProcessorOutcome;
}

export interface SettlementRow {
  reference: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed' | 'refunded';
  settled_at: number;
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
}

/**
 * A processor adapter: three required methods, the rest optional and declared in
 * `capabilities`. Adapters do no I/O at import; they are built by a factory.
 *
 * @example
 * const processor: Processor = {
 *   id: 'acme',
 *   capabilities: { modes: ['test', 'live'], paymentMethods: ['card'], manualCapture: false, partialCapture: false,
 *                   refunds: false, threeDSecure: false },
 *   async authorize(req) { return { status: 'succeeded', reference: `acme_${req.attemptId}` } },
 *   async retrieve({ reference }) { return { status: 'succeeded', reference } },
 * };
 */
export interface Processor {
  readonly id: string;
  readonly capabilities: ProcessorCapabilities;
  /** Starts a payment. Must be safe to call again with the same attemptId. */
  authorize(req: AuthorizeRequest): Promise<ProcessorOutcome>;
  /** Where a payment stands now: for async outcomes, expiry checks and reconciliation. */
  retrieve(req: ReferenceRequest): Promise<ProcessorOutcome>;
  /** Continues after the shopper's action (3-D Secure, redirect) with what it returned. */
  continueAfterAction?(req: ReferenceRequest & { result: string }): Promise<ProcessorOutcome>;
  capture?(req: OperationRequest): Promise<ProcessorOutcome>;
  cancel?(req: OperationRequest): Promise<{ canceled: boolean }>;
  refund?(req: OperationRequest): Promise<{ status: 'succeeded' | 'failed'; reference: string }>;
  /** Verifies and parses an inbound notification; throws if it is not authentic. */
  parseNotification?(req: {
    headers: Record<string, string>;
    rawBody: string;
    now: number;
  }): Promise<ProcessorNotification>;
  settlementReport?(req: { from: number; to: number }): Promise<SettlementRow[]>;
}

/** What the gateway offers an adapter's pages (a 3-D Secure page, an external app). */
export interface ProcessorPageContext {
  /** The request path below `/processors/<id>/`, without a leading slash. */
  path: string;
  /** The payment behind a reference, for display; null if the gateway does not know it. */
  describe(reference: string): Promise<{ amount: number; currency: string } | null>;
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
