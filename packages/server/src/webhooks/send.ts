import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { type AddressPolicy, addressAllowed, BlockedAddressError, policyLookup } from './ssrf.ts';

export interface SendResult {
  status: number | null;
  body: string | null;
  retryAfter: string | null;
  error: string | null;
  latencyMs: number;
}

const MAX_BODY = 1024;
// One pair of agents per mode: a live delivery never reuses a socket a test one opened.
const agentsFor = () => ({
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
});
const agents = { live: agentsFor(), test: agentsFor() };

/** What a failed attempt records: a category, not the network stack's words (which
 * would tell a merchant what answers where on the gateway's network). */
function describeError(err: Error): string {
  if (err instanceof BlockedAddressError) return 'refused: the address is not allowed';
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (/timed out/.test(err.message) || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'could not resolve the host';
  if (code.startsWith('ERR_TLS') || /certificate|SSL/i.test(err.message)) return 'TLS error';
  return 'could not connect';
}

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
  livemode: boolean;
  policy: AddressPolicy;
  /** Keep the first 1 KB of the answer (off by default: it reads other systems back). */
  keepBody: boolean;
}): Promise<SendResult> {
  const start = performance.now();
  const url = new URL(opts.url);
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({
    ...r,
    latencyMs: Math.round(performance.now() - start),
  });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !addressAllowed(opts.policy, host, host)) {
    const error = describeError(new BlockedAddressError(host, host));
    return Promise.resolve(done({ status: null, body: null, retryAfter: null, error }));
  }
  const pool = agents[opts.livemode ? 'live' : 'test'];
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? pool.https : pool.http,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kassa-Webhooks/1',
          'content-length': Buffer.byteLength(opts.body),
          ...opts.headers,
        },
        timeout: opts.timeoutMs,
        lookup: policyLookup(opts.policy) as never,
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
              body: opts.keepBody ? body.slice(0, MAX_BODY) : null,
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
              error: describeError(err),
            }),
          ),
        );
      },
    );
    // Headers and body can leave as two segments on a reused socket; with Nagle on, the
    // second waits for the receiver's delayed ACK (about 40 ms).
    req.on('socket', (socket) => {
      socket.setNoDelay(true);
      // A kept-alive socket skips the lookup: check where it is connected, every time.
      const check = () => {
        const address = socket.remoteAddress;
        if (address && !addressAllowed(opts.policy, host, address)) {
          req.destroy(new BlockedAddressError(host, address));
        }
      };
      if (socket.remoteAddress) check();
      else socket.once('connect', check);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', (err) =>
      resolve(done({ status: null, body: null, retryAfter: null, error: describeError(err) })),
    );
    req.end(opts.body);
  });
}
