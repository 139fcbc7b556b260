import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { BlockedAddressError, isPublicAddress, publicOnlyLookup } from './ssrf.ts';

export interface SendResult {
  status: number | null;
  body: string | null;
  retryAfter: string | null;
  error: string | null;
  latencyMs: number;
}

const MAX_BODY = 1024;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * POSTs a webhook and reads at most 1 KB of the answer. Never throws: network errors,
 * timeouts and refused targets come back in `error`. With `publicOnly`, targets that
 * resolve to loopback, private or link-local addresses are refused at connect time.
 */
export function sendWebhook(opts: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  publicOnly: boolean;
}): Promise<SendResult> {
  const start = performance.now();
  const url = new URL(opts.url);
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({
    ...r,
    latencyMs: Math.round(performance.now() - start),
  });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (opts.publicOnly && isIP(host) && !isPublicAddress(host)) {
    const error = new BlockedAddressError(host, host).message;
    return Promise.resolve(done({ status: null, body: null, retryAfter: null, error }));
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kassa-Webhooks/1',
          'content-length': Buffer.byteLength(opts.body),
          ...opts.headers,
        },
        timeout: opts.timeoutMs,
        ...(opts.publicOnly ? { lookup: publicOnlyLookup as never } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_BODY) body += chunk;
        });
        res.on('end', () =>
          resolve(
            done({
              status: res.statusCode ?? null,
              body: body.slice(0, MAX_BODY),
              retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
              error: null,
            }),
          ),
        );
        res.on('error', (err) =>
          resolve(
            done({
              status: res.statusCode ?? null,
              body: null,
              retryAfter: null,
              error: err.message,
            }),
          ),
        );
      },
    );
    // Headers and body can leave as two segments on a reused socket; with Nagle on, the
    // second waits for the receiver's delayed ACK (about 40 ms).
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (err) =>
      resolve(done({ status: null, body: null, retryAfter: null, error: err.message })),
    );
    req.end(opts.body);
  });
}
