import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createRefundBodySchema,
  listPaymentIntentsQuerySchema,
  type PaymentIntent,
} from '@kassa/protocol';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { type Caller, callerOf } from '../http/caller.ts';
import type { AppEnv } from '../http/env.ts';
import { idempotency } from '../http/idempotency.ts';
import { clientKeyOf } from '../http/rate-limit.ts';
import { toPaymentIntent } from '../intents/serialize.ts';
import type { IntentService } from '../intents/service.ts';
import type { Refunds } from '../refunds/refunds.ts';
import { toRefund } from '../refunds/refunds.ts';
import type { DashboardSessionRow, DashboardUserRow, MerchantRow } from '../store/types.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';

export const SESSION_COOKIE = 'kassa_session';
/** A session ends after this long unused, and this long after sign-in whatever happens. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Last-used times closer together than this are not written again. */
const TOUCH_EVERY_MS = 60 * 1000;
/** Sign-in tries per minute, per client and per email address. */
const LOGINS_PER_CLIENT = 10;
const LOGINS_PER_EMAIL = 20;

type DashEnv = AppEnv & {
  Variables: { user: DashboardUserRow; session: DashboardSessionRow };
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const sameSecret = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * Every session token the request carries. A browser sends one cookie per path, so a
 * cookie planted for a narrower path (`/dashboard/api`) comes first and would shadow ours:
 * each is tried, and a planted one opens nothing.
 */
function sessionTokens(c: Context): string[] {
  const header = c.req.header('cookie') ?? '';
  const out: string[] = [];
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    const token = value.join('=');
    if (name === SESSION_COOKIE && /^[\w-]{20,100}$/.test(token)) out.push(token);
  }
  return out.slice(0, 4);
}

const loginSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(255),
  password: z.string().min(1).max(1024),
});

/**
 * The dashboard's JSON API at `/dashboard/api`, for the dashboard's own pages on the same
 * origin: sign-in with a session cookie (HttpOnly, SameSite=Strict, Secure on https; the
 * token is kept only as a hash), CSRF protection on every change (a per-session token in
 * `X-CSRF-Token`, and an Origin that must be ours), idle and absolute expiry, sign-out
 * everywhere, rate-limited sign-in, and roles: a viewer reads, an owner also refunds,
 * captures and cancels. The merchant's secret key never reaches the browser.
 */
export function dashboardApi(deps: Deps, services: { intents: IntentService; refunds: Refunds }) {
  const { store, clock, config } = deps;
  const app = new Hono<DashEnv>();
  const secure = config.publicUrl.startsWith('https:');
  const ownOrigin = new URL(config.publicUrl).origin;

  /** A change must come from our own pages: an Origin (when the browser sends one, as
   * it does for every POST) that is ours. */
  const checkOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    if (origin && origin !== ownOrigin && origin !== new URL(c.req.url).origin) {
      throw new ApiError(403, 'csrf_failed', 'This request did not come from the dashboard.');
    }
  };

  const hit = async (key: string, perMinute: number) => {
    const now = clock.now();
    const windowStart = now - (now % 60_000);
    const count = await store.transaction((tx) => tx.hitRateLimit(key, windowStart));
    if (count > perMinute) {
      throw new ApiError(
        429,
        'rate_limited',
        'Too many sign-in attempts. Wait a minute and try again.',
        {
          type: 'rate_limit_error',
        },
      );
    }
  };

  const startSession = async (c: Context, user: DashboardUserRow) => {
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    const session: DashboardSessionRow = {
      id: sha256(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + SESSION_ABSOLUTE_MS,
    };
    await store.transaction((tx) => tx.insertDashboardSession(session));
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: '/dashboard',
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
    return session;
  };

  const describe = (
    user: DashboardUserRow,
    merchant: MerchantRow,
    session: DashboardSessionRow,
  ) => ({
    user: { id: user.id, email: user.email, role: user.role },
    merchant: { id: merchant.id, name: merchant.name },
    csrf_token: session.csrfToken,
    expires_at: Math.floor(session.expiresAt / 1000),
  });

  app.post('/login', async (c) => {
    checkOrigin(c);
    const parsed = loginSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) {
      const param = String(parsed.error.issues[0]?.path[0] ?? 'email');
      throw new ApiError(400, 'parameter_missing', `Enter your ${param}.`, { param });
    }
    const { email, password } = parsed.data;
    await hit(`dash-login:client:${clientKeyOf(c, config)}`, LOGINS_PER_CLIENT);
    await hit(`dash-login:email:${sha256(email)}`, LOGINS_PER_EMAIL);
    const user = await store.read((tx) => tx.findDashboardUserByEmail(email));
    // An unknown address costs as long as a wrong password, and says the same.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      throw new ApiError(401, 'invalid_credentials', 'That email and password do not match.');
    }
    // Never keep a session id from before sign-in (fixation): any presented ends here.
    for (const before of sessionTokens(c)) {
      await store.transaction((tx) => tx.deleteDashboardSessions({ id: sha256(before) }));
    }
    const session = await startSession(c, user);
    const merchant = (await store.read((tx) => tx.getMerchant(user.merchantId))) as MerchantRow;
    return c.json(describe(user, merchant, session));
  });

  /** Everything below needs a live session; changes need its CSRF token too. */
  const requireSession: MiddlewareHandler<DashEnv> = async (c, next) => {
    const tokens = sessionTokens(c);
    const token = tokens[0];
    const now = clock.now();
    const found = await store.read(async (tx) => {
      for (const t of tokens) {
        const session = await tx.getDashboardSession(sha256(t));
        const user = session ? await tx.getDashboardUser(session.userId) : null;
        const merchant = user ? await tx.getMerchant(user.merchantId) : null;
        if (session && user && merchant) return { session, user, merchant };
      }
      return null;
    });
    const alive =
      found &&
      found.session.expiresAt > now &&
      found.session.lastSeenAt >= now - SESSION_IDLE_MS &&
      (found.session.lastSeenAt >= now - TOUCH_EVERY_MS ||
        (await store.transaction((tx) =>
          tx.touchDashboardSession(found.session.id, now, now - SESSION_IDLE_MS),
        )));
    if (!found || !alive) {
      if (token) deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
      throw new ApiError(401, 'not_signed_in', 'Sign in to the dashboard.');
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      checkOrigin(c);
      const sent = c.req.header('x-csrf-token') ?? '';
      if (!sameSecret(sent, found.session.csrfToken)) {
        throw new ApiError(403, 'csrf_failed', 'This request did not come from the dashboard.');
      }
    }
    c.set('user', found.user);
    c.set('session', found.session);
    c.set('merchant', found.merchant);
    c.set('livemode', c.req.query('mode') === 'live');
    c.set('keyKind', 'secret');
    await next();
  };

  const ownerOnly: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.get('user').role !== 'owner') {
      throw new ApiError(403, 'forbidden', 'Viewers cannot refund, capture or cancel payments.');
    }
    await next();
  };

  app.use('/session', requireSession);
  app.use('/logout', requireSession);
  app.use('/logout_everywhere', requireSession);
  app.use('/payments/*', requireSession);
  app.use('/payments', requireSession);

  app.get('/session', (c) => c.json(describe(c.get('user'), c.get('merchant'), c.get('session'))));
  app.post('/logout', async (c) => {
    await store.transaction((tx) => tx.deleteDashboardSessions({ id: c.get('session').id }));
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
    return c.json({ signed_out: 1 });
  });
  app.post('/logout_everywhere', async (c) => {
    const n = await store.transaction((tx) =>
      tx.deleteDashboardSessions({ userId: c.get('user').id }),
    );
    deleteCookie(c, SESSION_COOKIE, { path: '/dashboard' });
    return c.json({ signed_out: n });
  });

  const out = (row: Parameters<typeof toPaymentIntent>[0]): PaymentIntent =>
    toPaymentIntent(row, config.publicUrl);

  /** Payments, newest first: by intent id, order id or processor reference, status and
   * creation date, a page at a time (the API's own keyset pagination). */
  app.get('/payments', async (c) => {
    const caller = callerOf(c);
    const raw = c.req.query();
    const query = (raw.q ?? '').trim();
    if (query) {
      const found = await findPayment(deps, caller, query);
      return c.json({ object: 'list', data: found.map(out), has_more: false });
    }
    const parsed = listPaymentIntentsQuerySchema.safeParse({
      limit: raw.limit,
      starting_after: raw.starting_after,
      ending_before: raw.ending_before,
      status: raw.status || undefined,
      'created[gte]': raw.from ? Number(raw.from) : undefined,
      'created[lte]': raw.to ? Number(raw.to) : undefined,
    });
    if (!parsed.success) {
      const param = String(parsed.error.issues[0]?.path[0] ?? 'q');
      throw new ApiError(400, 'parameter_invalid', `Check ${param}.`, { param });
    }
    const page = await services.intents.list(caller, parsed.data);
    return c.json({ object: 'list', data: page.rows.map(out), has_more: page.hasMore });
  });

  /** One payment with its timeline: attempts (with decline codes), refunds, events and
   * each event's webhook deliveries with their attempts' status and latency. */
  app.get('/payments/:id', async (c) => {
    const caller = callerOf(c);
    const id = c.req.param('id');
    const view = await store.read(async (tx) => {
      const intent = await tx.getIntent(id, caller);
      if (!intent) return null;
      const [attempts, events, refunds] = await Promise.all([
        tx.listAttemptsOfIntent(id),
        tx.listEventsForObject(id),
        tx.listRefunds({
          merchantId: caller.merchantId,
          livemode: caller.livemode,
          intentId: id,
          limit: 100,
        }),
      ]);
      const refundEvents = (
        await Promise.all(refunds.map((r) => tx.listEventsForObject(r.id)))
      ).flat();
      const allEvents = [...events, ...refundEvents].sort((a, b) => a.createdAt - b.createdAt);
      const deliveries = await tx.listDeliveriesOfEvents(allEvents.map((e) => e.id));
      const webhookAttempts = await tx.listWebhookAttempts(deliveries.map((d) => d.id));
      return { intent, attempts, events: allEvents, refunds, deliveries, webhookAttempts };
    });
    if (!view)
      throw new ApiError(404, 'resource_missing', `No such payment: '${id}'`, { param: 'id' });
    return c.json({
      payment: out(view.intent),
      attempts: view.attempts.map((a) => ({
        id: a.id,
        status: a.status,
        method: a.methodType,
        card: a.cardBrand ? { brand: a.cardBrand, last4: a.cardLast4 } : null,
        upi_vpa: a.upiVpa,
        processor: a.processor,
        processor_reference: a.processorReference,
        decline_code: a.declineCode,
        failure_message: a.failureMessage,
        created: Math.floor(a.createdAt / 1000),
      })),
      refunds: view.refunds.map(toRefund),
      events: view.events.map((e) => ({
        id: e.id,
        type: e.type,
        created: Math.floor(e.createdAt / 1000),
        deliveries: view.deliveries
          .filter((d) => d.eventId === e.id)
          .map((d) => ({
            id: d.id,
            endpoint: d.endpointId,
            status: d.status,
            attempts: view.webhookAttempts
              .filter((w) => w.deliveryId === d.id)
              .map((w) => ({
                at: Math.floor(w.attemptedAt / 1000),
                status: w.responseStatus,
                latency_ms: w.latencyMs,
                error: w.error,
              })),
          })),
      })),
    });
  });

  // Money moves: owners only, with the CSRF token and an Idempotency-Key per confirmation
  // (a double click refunds once).
  const idem = idempotency(store, clock, config.idempotencyLeaseMs);
  app.post('/payments/:id/refunds', ownerOnly, idem, async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { amount?: unknown };
    const parsed = createRefundBodySchema.safeParse({
      payment_intent: c.req.param('id'),
      ...(body.amount === undefined || body.amount === '' ? {} : { amount: body.amount }),
    });
    if (!parsed.success) {
      throw new ApiError(
        400,
        'parameter_invalid',
        'Enter an amount in minor units (paise, cents).',
        {
          param: 'amount',
        },
      );
    }
    const refund = await services.refunds.create(callerOf(c), parsed.data);
    return c.json(toRefund(refund), 201);
  });
  app.post('/payments/:id/capture', ownerOnly, idem, async (c) => {
    const intent = await services.intents.capture(callerOf(c), c.req.param('id'), undefined);
    return c.json(out(intent));
  });
  app.post('/payments/:id/cancel', ownerOnly, idem, async (c) => {
    const intent = await services.intents.cancel(
      callerOf(c),
      c.req.param('id'),
      'requested_by_customer',
    );
    return c.json(out(intent));
  });

  return app;
}

/** A payment by its id, its order id, or its processor's reference (the caller's only). */
async function findPayment(deps: Deps, caller: Caller, q: string) {
  return deps.store.read(async (tx) => {
    if (/^pi_/.test(q)) {
      const intent = await tx.getIntent(q, caller);
      return intent ? [intent] : [];
    }
    const byOrder = await tx.listIntents({
      merchantId: caller.merchantId,
      livemode: caller.livemode,
      orderId: q,
      limit: 20,
    });
    if (byOrder.length > 0) return byOrder;
    for (const processor of Object.keys(deps.processors)) {
      const attempt = await tx.findAttemptByReference(processor, q);
      const intent = attempt ? await tx.getIntent(attempt.intentId, caller) : null;
      if (intent) return [intent];
    }
    return [];
  });
}
