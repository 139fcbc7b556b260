import { randomUUID } from 'node:crypto';
import { KassaError } from './errors.ts';

export interface ClientOptions {
  /** The gateway, e.g. http://localhost:8000. */
  baseUrl: string;
  /** Retries after a 5xx, a 409 for a key still in use, or a network error. Default 2. */
  maxRetries?: number;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `error` object of an answer, or a stand-in when the body is not Kassa's JSON (a
 * proxy's HTML page, an empty 502). */
function errorOf(status: number, text: string): Record<string, unknown> {
  try {
    const body = JSON.parse(text) as { error?: Record<string, unknown> };
    if (body && typeof body.error === 'object' && body.error) return body.error;
  } catch {
    // not JSON
  }
  return {
    type: 'api_error',
    code: status >= 500 ? 'server_error' : 'unexpected_response',
    message: `Kassa answered ${status} with a body that is not a Kassa error: ${text.slice(0, 200)}`,
  };
}

/**
 * One API call. Every POST carries an Idempotency-Key (the caller's, or one made for this
 * call) and every retry reuses it, so a retry never does the work twice. Retried: any 5xx,
 * a 409 for a key still held by the first try, and network errors or timeouts. Every
 * failure is a KassaError.
 */
export function createRequester(secretKey: string, opts: ClientOptions) {
  const base = opts.baseUrl.replace(/\/$/, '');
  const doFetch = opts.fetch ?? fetch;
  const maxRetries = opts.maxRetries ?? 2;
  return async function request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    o: { query?: object; idempotencyKey?: string } = {},
  ): Promise<T> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries((o.query ?? {}) as Query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${secretKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST')
      headers['idempotency-key'] = o.idempotencyKey ?? `kassa-node-${randomUUID()}`;
    for (let attempt = 0; ; attempt++) {
      const retry = attempt < maxRetries;
      let res: Response;
      let text: string;
      try {
        res = await doFetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        });
        text = await res.text();
      } catch (err) {
        if (retry) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw new KassaError(0, {
          type: 'api_connection_error',
          code: 'connection_error',
          message: `Could not reach Kassa at ${base}: ${(err as Error).message}`,
        });
      }
      if (res.ok) {
        try {
          return (text ? JSON.parse(text) : {}) as T;
        } catch {
          throw new KassaError(res.status, errorOf(500, text));
        }
      }
      const error = errorOf(res.status, text);
      const retryable =
        res.status >= 500 || (res.status === 409 && error.code === 'idempotency_key_in_use');
      if (retryable && retry) {
        const after = Number(res.headers.get('retry-after'));
        await sleep(after > 0 && after <= 60 ? after * 1000 : 200 * 2 ** attempt);
        continue;
      }
      throw new KassaError(res.status, error);
    }
  };
}

export type Requester = ReturnType<typeof createRequester>;
