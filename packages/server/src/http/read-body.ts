import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';
import { badText } from './clean-url.ts';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/**
 * Reads a request body once, refusing it with 413 past `maxBytes` (declared or streamed),
 * and hands it to Hono's body cache, parsed when it is JSON. On Node it reads the socket's
 * stream directly: going through the Fetch `Request` made every POST build a web
 * ReadableStream, an AbortSignal and a Request, a sixth of a create's CPU.
 */
export function readBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () =>
    new ApiError(413, 'body_too_large', `The request body is over ${maxBytes / 1024} KB.`);
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS') {
      return next();
    }
    const refuse = () => {
      // Whatever is left of the body is not read: the connection ends with the answer.
      c.header('connection', 'close');
      return tooLarge();
    };
    const declared = Number(c.req.header('content-length'));
    if (declared > maxBytes) throw refuse();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    let text: string;
    if (incoming && typeof incoming.on === 'function' && !incoming.readableEnded) {
      text = await readStream(incoming, maxBytes, refuse);
    } else {
      // In-process requests (app.request in tests) have no socket.
      const buf = await c.req.raw.arrayBuffer();
      if (buf.byteLength > maxBytes) throw refuse();
      text = new TextDecoder().decode(buf);
    }
    // Hono keeps promises in this cache (its type says otherwise).
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.text = Promise.resolve(text);
    if (text && JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Left to the validator, which answers malformed JSON with its own 400.
      }
      if (parsed !== undefined) {
        let bad: string | null;
        try {
          bad = badTextAt(parsed);
        } catch (err) {
          if (!(err instanceof DepthError)) throw err;
          throw new ApiError(
            400,
            'parameter_invalid',
            `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`,
            { param: err.at || undefined },
          );
        }
        if (bad !== null) {
          throw new ApiError(
            400,
            'parameter_invalid',
            `${bad || 'The body'} contains a NUL character or an unpaired surrogate.`,
            { param: bad || undefined },
          );
        }
        cache.json = Promise.resolve(parsed);
      }
    }
    await next();
  };
}

function readStream(
  incoming: IncomingMessage,
  maxBytes: number,
  refuse: () => ApiError,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        incoming.pause();
        reject(refuse());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8'),
      );
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/** How deep a JSON body may nest; no Kassa body comes close (metadata is two levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * The first string (or key) holding a NUL or a lone surrogate, as a Stripe-style param
 * path (`metadata[note]`), '' for the body itself; null when all text is well formed.
 * Such text breaks logs, CSV exports and other systems downstream. Walked with its own
 * stack, not recursion: a body nested past `MAX_JSON_DEPTH` is refused, however deep.
 */
export function badTextAt(value: unknown, path = ''): string | null {
  const stack: [unknown, string, number][] = [[value, path, 0]];
  while (stack.length > 0) {
    const [v, at, depth] = stack.pop() as [unknown, string, number];
    if (typeof v === 'string') {
      if (badText(v)) return at;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw new DepthError(at);
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i] as [string, unknown];
      const next = at ? `${at}[${k}]` : k;
      if (badText(k)) return next;
      stack.push([child, next, depth + 1]);
    }
  }
  return null;
}

/** A body nested deeper than `MAX_JSON_DEPTH`. */
export class DepthError extends Error {
  constructor(readonly at: string) {
    super(`nested deeper than ${MAX_JSON_DEPTH}`);
  }
}
