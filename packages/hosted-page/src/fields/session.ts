import type { OpenedProcessorSession } from '@kassa/protocol';
import { call } from '../api.ts';

const base = (id: string) => `/v1/client/payment_intents/${encodeURIComponent(id)}`;

/** Opens (or reopens) the payment a processor's own fields complete. */
export const openSession = (id: string, secret: string, type: string) =>
  call<OpenedProcessorSession>(`${base(id)}/processor_session`, {
    method: 'POST',
    body: JSON.stringify({ client_secret: secret, payment_method_type: type }),
  });

/**
 * After the processor's fields finished: the gateway asks the processor how it stands.
 * `result` is what the fields handed the page (Razorpay's signed payment id), for the
 * gateway to check; it is never believed.
 */
export const completeSession = (id: string, secret: string, result?: Record<string, string>) =>
  call(`${base(id)}/processor_session/complete`, {
    method: 'POST',
    body: JSON.stringify({ client_secret: secret, ...(result && { processor_result: result }) }),
  });

export const NETWORK = { code: 'network_error' };
