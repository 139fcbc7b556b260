import { PAYMENT_INTENT_STATUSES, type PaymentIntentStatus } from '@kassa/protocol';
import { describe, expect, it } from 'vitest';
import { canTransition } from './status-machine.ts';

const LEGAL: [PaymentIntentStatus, PaymentIntentStatus][] = [
  ['requires_payment_method', 'requires_payment_method'],
  ['requires_payment_method', 'requires_action'],
  ['requires_payment_method', 'processing'],
  ['requires_payment_method', 'requires_capture'],
  ['requires_payment_method', 'succeeded'],
  ['requires_payment_method', 'failed'],
  ['requires_payment_method', 'canceled'],
  ['requires_payment_method', 'expired'],
  ['requires_action', 'requires_action'],
  ['requires_action', 'requires_payment_method'],
  ['requires_action', 'processing'],
  ['requires_action', 'requires_capture'],
  ['requires_action', 'succeeded'],
  ['requires_action', 'failed'],
  ['requires_action', 'canceled'],
  ['requires_action', 'expired'],
  ['processing', 'processing'],
  ['processing', 'requires_payment_method'],
  ['processing', 'requires_action'],
  ['processing', 'requires_capture'],
  ['processing', 'succeeded'],
  ['processing', 'failed'],
  ['processing', 'canceled'],
  ['requires_capture', 'requires_capture'],
  ['requires_capture', 'processing'],
  ['requires_capture', 'succeeded'],
  ['requires_capture', 'canceled'],
];

describe('the status machine', () => {
  const all = PAYMENT_INTENT_STATUSES.flatMap((from) =>
    PAYMENT_INTENT_STATUSES.map((to) => [from, to] as const),
  );
  it.each(all)('%s -> %s', (from, to) => {
    const legal = LEGAL.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(legal);
  });
});
