import { randomBytes } from 'node:crypto';
import type {
  Notes,
  RazorpayDispute,
  RazorpayOrder,
  RazorpayPayment,
  RazorpayRefund,
} from '../types.ts';

/** Razorpay's ids: a prefix and 14 characters of [A-Za-z0-9]. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function id(prefix: string): string {
  const bytes = randomBytes(14);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

export const seconds = () => Math.floor(Date.now() / 1000);

export function order(fields: {
  amount: number;
  currency: string;
  receipt: string | null;
  notes: Notes;
}): RazorpayOrder {
  return {
    id: id('order'),
    entity: 'order',
    amount: fields.amount,
    amount_paid: 0,
    amount_due: fields.amount,
    currency: fields.currency,
    receipt: fields.receipt,
    status: 'created',
    attempts: 0,
    // Razorpay answers "no notes" with an empty list.
    notes: Object.keys(fields.notes).length ? fields.notes : [],
    created_at: seconds(),
  };
}

export function payment(
  o: RazorpayOrder,
  fields: {
    method: 'card' | 'upi';
    vpa?: string | null;
    email?: string | null;
    contact?: string | null;
    notes?: Notes;
    description?: string | null;
  },
): RazorpayPayment {
  return {
    id: id('pay'),
    entity: 'payment',
    amount: o.amount,
    currency: o.currency,
    status: 'created',
    order_id: o.id,
    method: fields.method,
    amount_refunded: 0,
    refund_status: null,
    captured: false,
    description: fields.description ?? null,
    card_id: fields.method === 'card' ? id('card') : null,
    vpa: fields.vpa ?? null,
    email: fields.email ?? 'void@razorpay.com',
    contact: fields.contact ?? '+919000090000',
    notes: fields.notes && Object.keys(fields.notes).length ? fields.notes : [],
    fee: null,
    tax: null,
    error_code: null,
    error_description: null,
    error_source: null,
    error_step: null,
    error_reason: null,
    acquirer_data:
      fields.method === 'upi' ? { rrn: null, upi_transaction_id: null } : { auth_code: null },
    created_at: seconds(),
  };
}

export function refund(
  p: RazorpayPayment,
  fields: { amount: number; notes: Notes; receipt: string | null; speed: 'normal' | 'optimum' },
): RazorpayRefund {
  return {
    id: id('rfnd'),
    entity: 'refund',
    amount: fields.amount,
    currency: p.currency,
    payment_id: p.id,
    notes: Object.keys(fields.notes).length ? fields.notes : [],
    receipt: fields.receipt,
    acquirer_data: { arn: null },
    created_at: seconds(),
    batch_id: null,
    status: 'pending',
    speed_processed: null,
    speed_requested: fields.speed,
  };
}

export function dispute(p: RazorpayPayment): RazorpayDispute {
  return {
    id: id('disp'),
    entity: 'dispute',
    payment_id: p.id,
    amount: p.amount - p.amount_refunded,
    currency: p.currency,
    amount_deducted: 0,
    reason_code: 'chargeback_fraudulent',
    respond_by: seconds() + 7 * 86_400,
    status: 'open',
    phase: 'chargeback',
    created_at: seconds(),
  };
}
