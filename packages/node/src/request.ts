import { randomUUID } from 'node:crypto';
import { KassaError } from './errors.ts';

export interface ClientOptions {
  /** The gateway, e.g. http://localhost:8000. */
  baseUrl: string;
  /** Retries after a 5xx, a 409 for a key still in use, or a network error. Default 2. */
  maxRetries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One API call, retried with the same Idempotency-Key so a retry never does it twice. */
export function createRequester(secretKey: string, opts: ClientOptions) {
  const base = opts.baseUrl.replace(/\/$/, '');
  const doFetch = opts.fetch ?? fetch;
  const maxRetries = opts.maxRetries ?? 2;
  return async function request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    o: { query?: Record<string, string | number | undefined>; idempotencyKey?: string } = {},
  ): Promise<T> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${secretKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST')
      headers['idempotency-key'] = o.idempotencyKey ?? `kassa-node-${randomUUID()}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        if (attempt < maxRetries) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw err;
      }
      const text = await res.text();
      const json = text ? JSON.parse(text) : {};
      if (res.ok) return json as T;
      const retryable =
        res.status >= 500 || (res.status === 409 && json?.error?.code === 'idempotency_key_in_use');
      if (retryable && attempt < maxRetries) {
        await sleep(200 * 2 ** attempt);
        continue;
      }
      throw new KassaError(res.status, json?.error ?? { message: text });
    }
  };
}

export type Requester = ReturnType<typeof createRequester>;
