import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';

/*
 * The objects the fake Stripe answers with, built as the pinned API version shapes them
 * (every field of the `stripe` package's types, none more: the compiler checks it).
 */

export const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
export const seconds = () => Math.floor(Date.now() / 1000);

export function paymentIntent(fields: {
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

/** A card charge: `amount` is what was authorised, `amount_captured` what was taken (a
 * partial capture takes less; an uncaptured hold has taken nothing yet). */
export function charge(pi: Stripe.PaymentIntent, captured: number | null): Stripe.Charge {
  return {
    id: id('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: captured ?? 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: null,
    captured: captured !== null,
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

export function dispute(pi: Stripe.PaymentIntent, ch: Stripe.Charge): Stripe.Dispute {
  const none = null;
  return {
    id: id('dp'),
    object: 'dispute',
    amount: ch.amount_captured,
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

export function balanceTransaction(
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

export function refund(
  pi: Stripe.PaymentIntent,
  ch: Stripe.Charge,
  fields: {
    amount: number;
    metadata: Record<string, string>;
    reason: string | null;
    status: string;
  },
): Stripe.Refund {
  return {
    id: id('re'),
    object: 'refund',
    amount: fields.amount,
    balance_transaction: null,
    charge: ch.id,
    created: seconds(),
    currency: ch.currency,
    customer: null,
    customer_account: null,
    metadata: fields.metadata,
    payment_intent: pi.id,
    payment_method: null,
    reason: fields.reason as Stripe.Refund.Reason | null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: fields.status,
    transfer_reversal: null,
  };
}
