import { randomToken } from '@kassa/protocol';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock.ts';
import { sha256Hex } from '../merchants/keys.ts';
import type { IdempotencyRow, Store, StoreTx } from '../store/types.ts';
import { ApiError } from './api-error.ts';
import type { AppEnv, IdempotencyClaim } from './env.ts';

export type { IdempotencyClaim };

const TTL_MS = 24 * 60 * 60 * 1000;
/** How long a request holds its key before a retry may take it over and resume it. */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

/** A request's hold on an Idempotency-Key, as services see it. */

const lostKey = () =>
  new ApiError(
    409,
    'idempotency_key_in_use',
    'A request with this Idempotency-Key is still being processed. Retry in a moment.',
    { type: 'idempotency_error' },
  );

/**
 * Records, in the caller's transaction, the object a request is committing under its
 * key: the key and the object commit together, so a retry after a crash finds the
 * object and resumes it instead of making a second one. Throws 409 (rolling the
 * transaction back) if another request has taken the key over meanwhile.
 */
export async function bindIdempotency(
  tx: StoreTx,
  claim: IdempotencyClaim | undefined,
  objectId: string,
): Promise<void> {
  if (!claim || claim.objectId === objectId) return;
  if (!(await tx.idempotency.bind(claim.scope, claim.key, claim.token, objectId))) throw lostKey();
  claim.objectId = objectId;
}

const CARD_FIELDS = new Set(['number', 'cvc', 'client_secret']);

/** The body as the request hash sees it: card number, CVC and client secret left out, so
 * nothing in the database can be checked against guesses of them. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'number' && typeof v === 'string') out.last4 = v.replace(/\D/g, '').slice(-4);
    else if (!CARD_FIELDS.has(k)) out[k] = withoutSecrets(v);
  }
  return out;
}

export function requestHash(method: string, path: string, body: string): string {
  let canonical: string;
  try {
    canonical = JSON.stringify(withoutSecrets(JSON.parse(body)));
  } catch {
    // Not JSON: no digits survive, so no number can be guessed from the hash.
    canonical = body.replace(/\d+/g, '#');
  }
  return sha256Hex(`${method} ${path}\n${canonical}`);
}

/**
 * Stripe's `Idempotency-Key` semantics for every POST: the same key and body replay the
 * stored response, status included; the same key with another body is refused; the
 * same key while the first request still holds it is a 409. Keys live 24 hours per
 * merchant, mode and kind of key (a publishable key cannot use up a secret key's).
 *
 * What a request commits is bound to its key in the same transaction (`bindIdempotency`).
 * A key whose holder vanished (a crash, or a request still running past its lease) is
 * taken over by the next retry, which resumes the committed object — money never moves
 * twice, because every later write is fenced on the holder's token and every processor
 * call carries an operation id. Successful responses and card errors are kept; other
 * errors are not unless something was committed, so a request that failed validation
 * can be fixed and sent again with its key.
 */
export function idempotency(
  store: Store,
  clock: Clock,
  leaseMs = IDEMPOTENCY_LEASE_MS,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      throw new ApiError(400, 'parameter_invalid', 'Idempotency-Key must be 1 to 255 characters.', {
        param: 'Idempotency-Key',
      });
    }
    const scope = `${c.get('merchant').id}:${c.get('livemode') ? 'live' : 'test'}:${c.get('keyKind')}`;
    const hash = requestHash(c.req.method, c.req.path, await c.req.text());
    const now = clock.now();
    const token = randomToken(16);

    type Found =
      | { kind: 'claim'; claim: IdempotencyClaim }
      | { kind: 'mismatch' }
      | { kind: 'prior'; row: IdempotencyRow };
    const found = await store.transaction(async (tx): Promise<Found> => {
      let row = await tx.idempotency.get(scope, key);
      if (row && row.expiresAt <= now) {
        await tx.idempotency.deleteHeld(scope, key, row.token);
        row = null;
      }
      if (!row) {
        const claimed = await tx.idempotency.claim({
          merchantId: scope,
          key,
          requestHash: hash,
          status: 'running',
          responseStatus: null,
          responseBody: null,
          token,
          lockedUntil: now + leaseMs,
          objectId: null,
          createdAt: now,
          expiresAt: now + TTL_MS,
        });
        if (claimed) return { kind: 'claim', claim: { scope, key, token, objectId: null } };
        // Another request with this key claimed it first (the database ordered the two):
        // this one is its retry.
        row = await tx.idempotency.get(scope, key);
        if (!row) throw lostKey();
      }
      if (row.requestHash !== hash) return { kind: 'mismatch' };
      if (row.status === 'done' || row.lockedUntil > now) return { kind: 'prior', row };
      // The holder's lease ran out: this request takes the key and resumes its work.
      const taken = await tx.idempotency.updateHeld(scope, key, row.token, {
        token,
        lockedUntil: now + leaseMs,
      });
      if (!taken) return { kind: 'prior', row };
      return { kind: 'claim', claim: { scope, key, token, objectId: row.objectId } };
    });

    if (found.kind === 'mismatch') {
      throw new ApiError(
        422,
        'idempotency_key_mismatch',
        'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
        { type: 'idempotency_error' },
      );
    }
    if (found.kind === 'prior') {
      const prior = found.row;
      if (prior.status === 'running') {
        c.header('Retry-After', String(Math.max(1, Math.ceil((prior.lockedUntil - now) / 1000))));
        throw lostKey();
      }
      return c.body(prior.responseBody ?? '', prior.responseStatus as 200, {
        'content-type': 'application/json',
        'idempotent-replayed': 'true',
      });
    }

    const claim: IdempotencyClaim = found.claim;
    c.set('idempotency', claim);
    try {
      await next();
    } finally {
      const status = c.res.status;
      const keep = (status >= 200 && status < 300) || status === 402;
      const responseBody = keep ? await c.res.clone().text() : null;
      await store.transaction(async (tx) => {
        if (keep) {
          await tx.idempotency.updateHeld(scope, key, token, {
            status: 'done',
            responseStatus: status,
            responseBody,
          });
        } else if (claim.objectId) {
          // Something was committed: a retry must resume it, not start again. It may
          // do so at once.
          await tx.idempotency.updateHeld(scope, key, token, { lockedUntil: 0 });
        } else {
          await tx.idempotency.deleteHeld(scope, key, token);
        }
      });
    }
  };
}
