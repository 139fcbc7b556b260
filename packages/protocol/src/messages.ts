/**
 * The postMessage protocol between checkout.js (the merchant's page) and the hosted page
 * (the iframe). Plain types and constants with no dependencies, so checkout.js can use
 * them and stay tiny. Both sides pin the exact target origin and check `event.origin`
 * and `event.source`; `"*"` is never used.
 */
export const MESSAGE_SOURCE = 'kassa';
export const MESSAGE_VERSION = 1;

interface Base {
  source: typeof MESSAGE_SOURCE;
  version: typeof MESSAGE_VERSION;
}

/** The hosted page rendered and can take input. */
export interface ReadyMessage extends Base {
  type: 'ready';
}
/** The page's content height changed; the modal follows it. */
export interface ResizeMessage extends Base {
  type: 'resize';
  height: number;
}
/** A payment is in flight (the modal must not close) or no longer is. */
export interface BusyMessage extends Base {
  type: 'busy';
  busy: boolean;
}
/** The payment succeeded (or is authorised, for manual capture). */
export interface SuccessMessage extends Base {
  type: 'success';
  payment_intent_id: string;
  order_id: string;
  status: 'succeeded' | 'requires_capture';
  /** Hex HMAC-SHA256 of `order_id|payment_intent_id`; see @kassa/node verifyPaymentSignature. */
  signature: string;
}
/** The payment failed for good (attempts exhausted, expired, canceled). */
export interface FailureMessage extends Base {
  type: 'failure';
  payment_intent_id: string;
  code: string;
  message: string;
}
/** Close the modal: the shopper asked (and, with a payment still being confirmed, said
 * so twice). */
export interface CloseMessage extends Base {
  type: 'close';
}

export type HostedPageMessage =
  | ReadyMessage
  | ResizeMessage
  | BusyMessage
  | SuccessMessage
  | FailureMessage
  | CloseMessage;

/** From checkout.js to the page: the shopper pressed Escape or clicked outside while a
 * payment is being confirmed. The page asks whether to leave before it closes. */
export interface CloseRequestedMessage extends Base {
  type: 'close_requested';
}

export type ParentMessage = CloseRequestedMessage;

/** True for a well-formed message of this protocol (type-checked, not trusted). */
export function isKassaMessage(data: unknown): data is HostedPageMessage | ParentMessage {
  const d = data as (Partial<Base> & { type?: unknown }) | null;
  return (
    !!d &&
    typeof d === 'object' &&
    d.source === MESSAGE_SOURCE &&
    d.version === MESSAGE_VERSION &&
    typeof d.type === 'string'
  );
}
