import type { ClientPaymentIntent } from '@kassa/protocol';

/** The client intent as the page sees it, with the extras the gateway adds. */
export type PageIntent = ClientPaymentIntent & {
  merchant: { name: string; allowed_origins: string[] };
  result?: { order_id: string; signature: string };
};

export interface ApiError {
  type: string;
  code: string;
  message: string;
  param?: string;
  payment_intent?: PageIntent;
}

export type Answer<T = PageIntent> =
  | { ok: true; intent: T }
  | { ok: false; status: number; error: ApiError };

export async function call<T = PageIntent>(path: string, init?: RequestInit): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: { 'content-type': 'application/json', ...init?.headers },
    });
  } catch {
    return { ok: false, status: 0, error: { type: 'network', code: 'network_error', message: '' } };
  }
  const body = await res.json().catch(() => ({}));
  if (res.ok) return { ok: true, intent: body as T };
  return { ok: false, status: res.status, error: (body.error ?? { code: 'unknown' }) as ApiError };
}

export const intentUrl = (id: string, secret: string) =>
  `/v1/client/payment_intents/${encodeURIComponent(id)}?client_secret=${encodeURIComponent(secret)}`;

export const getIntent = (id: string, secret: string) => call(intentUrl(id, secret));

export function confirm(id: string, secret: string, method: unknown, key: string): Promise<Answer> {
  return call(`/v1/client/payment_intents/${encodeURIComponent(id)}/confirm`, {
    method: 'POST',
    // One key per submit: a retried request can never charge twice.
    headers: { 'idempotency-key': key },
    body: JSON.stringify({ client_secret: secret, payment_method: method }),
  });
}

/** Leaves the payment under way (3-D Secure, a UPI request, an app) to choose again. */
export function leave(id: string, secret: string): Promise<Answer> {
  return call(`/v1/client/payment_intents/${encodeURIComponent(id)}/leave`, {
    method: 'POST',
    body: JSON.stringify({ client_secret: secret }),
  });
}
