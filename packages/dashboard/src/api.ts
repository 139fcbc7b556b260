/** The dashboard's calls to /dashboard/api: same origin, the session cookie, and the
 * session's CSRF token on every change. */
let csrf = '';
export const setCsrf = (token: string) => {
  csrf = token;
};

export interface ApiError {
  code: string;
  message: string;
  param?: string;
}
export type Answer<T> = { ok: true; data: T } | { ok: false; status: number; error: ApiError };

/** Called when the session is over (401): the app shows the sign-in page. */
let onSignedOut = () => {};
export const whenSignedOut = (f: () => void) => {
  onSignedOut = f;
};

export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
  opts: { idempotencyKey?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`/dashboard/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'network_error', message: '' } };
  }
  const json = (await res.json().catch(() => null)) as { error?: ApiError } | null;
  if (res.ok) return { ok: true, data: json as T };
  if (res.status === 401 && !path.startsWith('/login')) onSignedOut();
  return {
    ok: false,
    status: res.status,
    error: json?.error ?? { code: 'unknown', message: res.statusText },
  };
}

/** `?a=1&b=2` from the values that are set. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The wire types are the protocol's: the gateway validates and documents the same ones.
export type { List } from '@kassa/protocol';
export type {
  DashboardPayment as PaymentView,
  DashboardPaymentRow as Payment,
  DashboardSession as Session,
} from '@kassa/protocol/dashboard';
