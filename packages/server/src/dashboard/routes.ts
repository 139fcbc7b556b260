import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  createRefundBodySchema,
  listPaymentIntentsQuerySchema,
  type PaymentIntent,
  pageQuerySchema,
} from '@kassa/protocol';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { type Caller, callerOf } from '../http/caller.ts';
import type { AppEnv } from '../http/env.ts';
import { idempotency } from '../http/idempotency.ts';
import { clientKeyOf, hitLimit } from '../http/rate-limit.ts';
import { validBody } from '../http/valid-body.ts';
import { toPaymentIntent } from '../intents/serialize.ts';
import type { IntentService } from '../intents/service.ts';
import { keyLive, safeEqual } from '../merchants/keys.ts';
import { expireSecretKey, normaliseOrigin, rollSecretKey } from '../merchants/merchants.ts';
import { reconciliationRoutes } from '../reconciliation/routes.ts';
import type { Refunds } from '../refunds/refunds.ts';
import { toRefund } from '../refunds/refunds.ts';
import type {
  DashboardSessionRow,
  DashboardUserRow,
  MerchantRow,
  OverviewRows,
} from '../store/types.ts';
import {
  deliveriesPage,
  ownEndpoint,
  retryDelivery,
  webhookEndpointRoutes,
} from '../webhooks/routes.ts';
import { toEndpoint } from '../webhooks/serialize.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { MIN_PASSWORD } from './users.ts';

export const SESSION_COOKIE = 'kassa_session';
/**
 * Over https the cookies are `__Host-` cookies (Secure, Path=/, no Domain): no other app
 * on the host — another port, a subdomain, plain http — can plant or overwrite them. Over
 * plain http (development) browsers refuse that prefix, so they keep their plain names,
 * for `/dashboard` only.
 */
const cookieNames = (secure: boolean) =>
  secure
    ? { session: `__Host-${SESSION_COOKIE}`, device: '__Host-kassa_device', path: '/' }
    : { session: SESSION_COOKIE, device: 'kassa_device', path: '/dashboard' };
const DEVICE_MAX_AGE_S = 365 * 24 * 3600;
/** A session ends after this long unused, and this long after sign-in whatever happens. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Last-used times closer together than this are not written again. */
const TOUCH_EVERY_MS = 60 * 1000;

type DashEnv = AppEnv & {
  Variables: { user: DashboardUserRow; session: DashboardSessionRow };
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Every session token the request carries. A browser sends one cookie per path, so a
 * cookie planted for a narrower path (`/dashboard/api`) comes first and would shadow ours:
 * each is tried, and a planted one opens nothing.
 */
function sessionTokens(c: Context, cookieName: string): string[] {
  const header = c.req.header('cookie') ?? '';
  const out: string[] = [];
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    const token = value.join('=');
    if (name === cookieName && /^[\w-]{20,100}$/.test(token)) out.push(token);
  }
  return out.slice(0, 4);
}

const passwordSchema = z.strictObject({
  current_password: z.string().min(1, 'Enter your current password.').max(1024),
  new_password: z
    .string()
    .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters.`)
    .max(1024, 'Use at most 1024 characters.'),
});

const loginSchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(255),
    password: z.string().min(1).max(1024),
  })
  .strict();

/**
 * The dashboard's JSON API at `/dashboard/api`, for the dashboard's own pages on the same
 * origin: sign-in with a session cookie (HttpOnly, SameSite=Strict, Secure on https; the
 * token is kept only as a hash), CSRF protection on every change (a per-session token in
 * `X-CSRF-Token`, and an Origin that must be ours), idle and absolute expiry, sign-out
 * everywhere, rate-limited sign-in, and roles: a viewer reads, an owner also refunds,
 * captures and cancels. The merchant's secret key never reaches the browser.
 */
const notFoundKey = (last4: string) =>
  new ApiError(404, 'resource_missing', `No live secret key ends in ${last4}.`, { param: 'last4' });

/** A refund from the dashboard: `/v1/refunds`'s body, the payment named by the path. */
const dashboardRefundSchema = createRefundBodySchema.omit({ payment_intent: true });

export function dashboardApi(deps: Deps, services: { intents: IntentService; refunds: Refunds }) {
  const { store, clock, config } = deps;
  const app = new Hono<DashEnv>();
  const secure = config.publicUrl.startsWith('https:');
  const cookies = cookieNames(secure);
  const ownOrigin = new URL(config.publicUrl).origin;

  /** A change must come from our own pages: an Origin (when the browser sends one, as
   * it does for every POST) that is ours. */
  const checkOrigin = (c: Context) => {
    const origin = c.req.header('origin');
    if (origin && origin !== ownOrigin && origin !== new URL(c.req.url).origin) {
      throw new ApiError(403, 'csrf_failed', 'This request did not come from the dashboard.');
    }
  };

  /** A browser's mark that this user signed in from it: a keyed hash of the user's id. */
  const deviceToken = (userId: string) =>
    createHmac('sha256', config.clientKeySecret)
      .update(`dashboard-device:v1:${userId}`)
      .digest('base64url');
  const knownDevice = (c: Context, userId: string) => {
    const sent = getCookie(c, cookies.device);
    return typeof sent === 'string' && safeEqual(sent, deviceToken(userId));
  };

  const hit = (c: Context, key: string, perMinute: number) =>
    hitLimit(c, {
      store,
      clock,
      key,
      perMinute,
      message: 'Too many sign-in attempts. Wait a minute and try again.',
    });

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
    setCookie(c, cookies.session, token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: cookies.path,
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
    return session;
  };

  const describe = (
    user: DashboardUserRow,
    merchant: MerchantRow,
    session: DashboardSessionRow,
  ) => ({
    user: {
      id: user.id,
      email: user.email,
      role: user.role,
      must_change_password: user.mustChangePassword,
    },
    merchant: { id: merchant.id, name: merchant.name },
    csrf_token: session.csrfToken,
    expires_at: Math.floor(session.expiresAt / 1000),
  });

  app.post('/login', async (c) => {
    checkOrigin(c);
    const { email, password } = await validBody(c, loginSchema);
    await hit(c, `dash-login:client:${clientKeyOf(c, config)}`, config.dashboardLoginsPerMinute);
    const user = await store.read((tx) => tx.findDashboardUserByEmail(email));
    // Per address too (twice the per-client limit): guesses spread over many clients. A
    // browser the user signed in from before (its device cookie) is not held by it, so
    // others' failures can never lock the user out of their own browser.
    if (!(user && knownDevice(c, user.id))) {
      await hit(c, `dash-login:email:${sha256(email)}`, 2 * config.dashboardLoginsPerMinute);
    }
    // An unknown address costs as long as a wrong password, and says the same.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      throw new ApiError(401, 'invalid_credentials', 'That email and password do not match.');
    }
    // A generated password is for one sign-in: the first claims it, in the database.
    if (
      user.mustChangePassword &&
      !(await store.transaction((tx) =>
        tx.claimSetting(
          `dashboard-one-time:${user.id}:${sha256(user.passwordHash)}`,
          String(clock.now()),
        ),
      ))
    ) {
      throw new ApiError(
        401,
        'one_time_password_used',
        'This one-time password was used already. Ask an owner (or `kassa users create`) for a new one.',
      );
    }
    // Never keep a session id from before sign-in (fixation): any presented ends here.
    for (const before of sessionTokens(c, cookies.session)) {
      await store.transaction((tx) => tx.deleteDashboardSessions({ id: sha256(before) }));
    }
    const session = await startSession(c, user);
    setCookie(c, cookies.device, deviceToken(user.id), {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: cookies.path,
      maxAge: DEVICE_MAX_AGE_S,
    });
    const merchant = (await store.read((tx) => tx.getMerchant(user.merchantId))) as MerchantRow;
    return c.json(describe(user, merchant, session));
  });

  /** Everything below needs a live session; changes need its CSRF token too. Until a
   * generated password is replaced, only the session, sign-out and the password itself
   * answer (`signedIn`); every other route (`requireSession`) refuses. */
  const session =
    (passwordToChangeAllowed: boolean): MiddlewareHandler<DashEnv> =>
    async (c, next) => {
      const tokens = sessionTokens(c, cookies.session);
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
        if (token) deleteCookie(c, cookies.session, { path: cookies.path, secure });
        throw new ApiError(401, 'not_signed_in', 'Sign in to the dashboard.');
      }
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        checkOrigin(c);
        const sent = c.req.header('x-csrf-token') ?? '';
        if (!safeEqual(sent, found.session.csrfToken)) {
          throw new ApiError(403, 'csrf_failed', 'This request did not come from the dashboard.');
        }
      }
      if (found.user.mustChangePassword && !passwordToChangeAllowed) {
        throw new ApiError(
          403,
          'password_change_required',
          'Choose a new password before anything else: the one you signed in with was generated.',
        );
      }
      c.set('user', found.user);
      c.set('session', found.session);
      c.set('merchant', found.merchant);
      c.set('livemode', c.req.query('mode') === 'live');
      c.set('keyKind', 'secret');
      await next();
    };
  const requireSession = session(false);
  const signedIn = session(true);

  const ownerOnly: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.get('user').role !== 'owner') {
      throw new ApiError(
        403,
        'forbidden',
        'Viewers can read; only an owner can refund, capture, cancel, reconcile or change settings.',
      );
    }
    await next();
  };

  app.use('/session', signedIn);
  app.use('/logout', signedIn);
  app.use('/logout_everywhere', signedIn);
  app.use('/password', signedIn);
  app.use('/payments/*', requireSession);
  app.use('/payments', requireSession);

  app.get('/session', (c) => c.json(describe(c.get('user'), c.get('merchant'), c.get('session'))));
  app.post('/logout', async (c) => {
    await store.transaction((tx) => tx.deleteDashboardSessions({ id: c.get('session').id }));
    deleteCookie(c, cookies.session, { path: cookies.path, secure });
    return c.json({ signed_out: 1 });
  });
  /** A new password, given the current one: every session of the user ends (a session
   * someone else may hold ends with the old password) and this browser gets a new one. */
  app.post('/password', async (c) => {
    const user = c.get('user');
    const { current_password: current, new_password: next } = await validBody(c, passwordSchema);
    // Guessing the current password from a stolen session is limited like sign-in.
    await hit(c, `dash-password:${user.id}`, config.dashboardLoginsPerMinute);
    if (!(await verifyPassword(current, user.passwordHash))) {
      throw new ApiError(400, 'invalid_password', 'That is not your current password.', {
        param: 'current_password',
      });
    }
    if (next === current) {
      throw new ApiError(400, 'parameter_invalid', 'Choose a password you have not used here.', {
        param: 'new_password',
      });
    }
    const hash = await hashPassword(next);
    const changed = await store.transaction(async (tx) => {
      if (!(await tx.changeDashboardPassword(user.id, user.passwordHash, hash))) return false;
      await tx.deleteDashboardSessions({ userId: user.id });
      return true;
    });
    if (!changed) {
      throw new ApiError(409, 'password_changed', 'Your password was just changed elsewhere.');
    }
    const fresh = await startSession(c, user);
    return c.json(
      describe(
        { ...user, passwordHash: hash, mustChangePassword: false },
        c.get('merchant'),
        fresh,
      ),
    );
  });
  app.post('/logout_everywhere', async (c) => {
    const n = await store.transaction((tx) =>
      tx.deleteDashboardSessions({ userId: c.get('user').id }),
    );
    deleteCookie(c, cookies.session, { path: cookies.path, secure });
    return c.json({ signed_out: n });
  });

  const out = (row: Parameters<typeof toPaymentIntent>[0]): PaymentIntent =>
    toPaymentIntent(row, config.publicUrl);

  /** Payments, newest first: by intent id, order id or processor reference, status,
   * method, currency and amount (minor units) and creation date, a page at a time (the
   * API's own keyset pagination). */
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
      payment_method_type: raw.method || undefined,
      currency: raw.currency || undefined,
      'amount[gte]': raw.min || undefined,
      'amount[lte]': raw.max || undefined,
      'created[gte]': raw.from ? Number(raw.from) : undefined,
      'created[lte]': raw.to ? Number(raw.to) : undefined,
    });
    if (!parsed.success) {
      const apiParam = String(parsed.error.issues[0]?.path[0] ?? 'q');
      const param = DASHBOARD_PARAM[apiParam] ?? apiParam;
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
    // The `/v1/refunds` schema, strict: a malformed body is refused, never a full refund.
    const body = await validBody(c, dashboardRefundSchema);
    const refund = await services.refunds.create(callerOf(c), {
      ...body,
      payment_intent: c.req.param('id'),
    });
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

  /**
   * The overview for a range (Unix seconds; default the last 7 days): volume and count per
   * hour or day, the success rate, decline reasons, the method mix, and webhook delivery
   * latency (p50, p99) with the share of non-2xx answers.
   */
  app.use('/overview', requireSession);
  app.get('/overview', async (c) => {
    const caller = callerOf(c);
    const now = clock.now();
    const raw = c.req.query();
    const to = raw.to ? Number(raw.to) * 1000 + 999 : now;
    const from = raw.from ? Number(raw.from) * 1000 : to - 7 * DAY_MS + 1;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
      throw new ApiError(400, 'parameter_invalid', 'from must be before to (Unix seconds).', {
        param: 'from',
      });
    }
    if (to - from > 366 * DAY_MS) {
      throw new ApiError(400, 'parameter_invalid', 'A range of a year at most.', { param: 'to' });
    }
    const bucketMs =
      raw.bucket === 'hour' || (!raw.bucket && to - from <= 2 * DAY_MS) ? HOUR_MS : DAY_MS;
    const rows = await store.read((tx) =>
      tx.overview({
        merchantId: caller.merchantId,
        livemode: caller.livemode,
        from,
        to,
        bucketMs,
        maxWebhookAttempts: 100_000,
      }),
    );
    return c.json(summarise(rows, { from, to, bucketMs }));
  });

  // Developers: keys, allowed origins, reconciliation runs.
  app.use('/developers', requireSession);
  app.use('/developers/*', requireSession);
  app.get('/developers', async (c) => {
    const caller = callerOf(c);
    const now = clock.now();
    const keys = await store.read((tx) => tx.listApiKeys(caller.merchantId, caller.livemode));
    const publishable = keys.find((k) => k.kind === 'publishable' && keyLive(k, now));
    return c.json({
      publishable_key: publishable?.publishableKey ?? null,
      secret_keys: keys
        .filter((k) => k.kind === 'secret' && keyLive(k, now))
        .map((k) => ({
          last4: k.last4,
          created: Math.floor(k.createdAt / 1000),
          expires_at: k.revokedAt === null ? null : Math.floor(k.revokedAt / 1000),
        })),
      allowed_origins: caller.merchant.allowedOrigins,
    });
  });
  app.post('/developers/roll_secret', ownerOnly, async (c) => {
    const caller = callerOf(c);
    const rolled = await rollSecretKey(store, clock, caller.merchantId, caller.livemode);
    if (!rolled) {
      throw new ApiError(409, 'roll_in_progress', 'The key was just rolled. Reload and try again.');
    }
    deps.logger.warn(
      {
        audit: 'secret_key_rolled',
        merchant: caller.merchantId,
        livemode: caller.livemode,
        user: c.get('user').id,
        previous_expires_at: rolled.previousExpiresAt,
      },
      'secret key rolled from the dashboard',
    );
    return c.json({
      secret_key: rolled.secret,
      previous_expires_at:
        rolled.previousExpiresAt === null ? null : Math.floor(rolled.previousExpiresAt / 1000),
    });
  });
  // A leaked key ends now: a rolled one still in its grace period, or the current one
  // (a new key is made with it and shown once).
  app.post('/developers/expire_secret', ownerOnly, async (c) => {
    const caller = callerOf(c);
    const { last4 } = await validBody(c, z.object({ last4: z.string().length(4) }).strict());
    const done = await expireSecretKey(store, clock, caller.merchantId, caller.livemode, last4);
    if (!done) throw notFoundKey(last4);
    deps.logger.warn(
      {
        audit: 'secret_key_expired',
        merchant: caller.merchantId,
        livemode: caller.livemode,
        last4,
        user: c.get('user').id,
        new_key: done.secret !== null,
      },
      'secret key expired now from the dashboard',
    );
    return c.json({ expired: done.expired, secret_key: done.secret });
  });
  app.post('/developers/origins', ownerOnly, async (c) => {
    const body = await validBody(
      c,
      z.object({ origins: z.array(z.string().max(255)).max(50) }).strict(),
    );
    let origins: string[];
    try {
      origins = [
        ...new Set(
          body.origins
            .map((o) => o.trim())
            .filter(Boolean)
            .map(normaliseOrigin),
        ),
      ];
    } catch (err) {
      throw new ApiError(400, 'parameter_invalid', (err as Error).message, { param: 'origins' });
    }
    const id = c.get('merchant').id;
    await store.transaction((tx) => tx.updateMerchant(id, { allowedOrigins: origins }));
    return c.json({ allowed_origins: origins });
  });
  // Running reconciliation writes (it records missed successes and sends their webhooks):
  // owners only; viewers read the runs.
  const readOnlyForViewers: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return ownerOnly(c, next);
    await next();
  };
  app.use('/reconciliation_runs', requireSession, readOnlyForViewers);
  app.use('/reconciliation_runs/*', requireSession, readOnlyForViewers);
  app.route('/reconciliation_runs', reconciliationRoutes(deps));

  // Webhook endpoints managed as the API manages them (create, change events, disable,
  // rotate and show the secret, delete): owners only, except reading the list.
  const endpointOwners: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.req.method !== 'GET' || c.req.path.endsWith('/secret')) return ownerOnly(c, next);
    await next();
  };
  app.use('/endpoints', requireSession, endpointOwners);
  app.use('/endpoints/*', requireSession, endpointOwners);
  app.route('/endpoints', webhookEndpointRoutes(deps));

  // Webhooks: endpoints, their delivery log, and retrying what failed.
  app.use('/webhooks', requireSession);
  app.use('/webhooks/*', requireSession);
  app.get('/webhooks', async (c) => {
    const caller = callerOf(c);
    const rows = await store.read((tx) => tx.listEndpoints(caller.merchantId, caller.livemode));
    return c.json({ data: rows.map((r) => toEndpoint(r, false)) });
  });
  app.get('/webhooks/:id/deliveries', async (c) => {
    const caller = callerOf(c);
    const raw = c.req.query();
    const status = z
      .enum(['pending', 'delivered', 'dead', 'canceled'])
      .optional()
      .safeParse(raw.status || undefined);
    const q = pageQuerySchema.safeParse({
      limit: raw.limit,
      starting_after: raw.starting_after,
      ending_before: raw.ending_before,
    });
    if (!status.success || !q.success) {
      throw new ApiError(400, 'parameter_invalid', 'Check the filters.', {
        param: status.success ? 'limit' : 'status',
      });
    }
    const list = await store.read(async (tx) => {
      const endpoint = await ownEndpoint(tx, caller, c.req.param('id'));
      return deliveriesPage(tx, endpoint.id, q.data, status.data);
    });
    return c.json(list);
  });
  app.post('/webhooks/deliveries/:id/retry', ownerOnly, async (c) =>
    c.json(await retryDelivery(deps, callerOf(c), c.req.param('id'))),
  );
  /** Every dead delivery to an endpoint created in [from, to] (Unix seconds), sent again. */
  app.post('/webhooks/:id/replay', ownerOnly, async (c) => {
    const caller = callerOf(c);
    const body = z
      .object({ from: z.number().int().min(0), to: z.number().int().min(0) })
      .safeParse(await c.req.json().catch(() => null));
    if (!body.success) {
      const param = String(body.error.issues[0]?.path[0] ?? 'from');
      throw new ApiError(400, 'parameter_invalid', 'Give from and to as Unix seconds.', { param });
    }
    const dead = await store.read(async (tx) => {
      const endpoint = await ownEndpoint(tx, caller, c.req.param('id'));
      return tx.listDeliveries({
        endpointId: endpoint.id,
        status: 'dead',
        createdGte: body.data.from * 1000,
        createdLte: body.data.to * 1000 + 999,
        limit: REPLAY_LIMIT,
      });
    });
    let replayed = 0;
    for (const d of dead) {
      try {
        await retryDelivery(deps, caller, d.id);
        replayed++;
      } catch (err) {
        // Retried by someone else since the list was read (another replay, a retry, another
        // process): already on its way, so not sent a second time.
        if (!(err instanceof ApiError && err.code === 'delivery_pending')) throw err;
      }
    }
    return c.json({ replayed, more: dead.length === REPLAY_LIMIT });
  });

  return app;
}

/** The API's list parameters by the names the dashboard's payments list uses. */
const DASHBOARD_PARAM: Record<string, string> = {
  payment_method_type: 'method',
  'amount[gte]': 'min',
  'amount[lte]': 'max',
  'created[gte]': 'from',
  'created[lte]': 'to',
};

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The value below which `q` of the sorted values fall (nearest rank). */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ] as number;
}

/** The overview's figures from the store's rows: every bucket of the range present (zeros
 * where nothing happened), the main currency's volume. */
export function summarise(
  rows: OverviewRows,
  range: { from: number; to: number; bucketMs: number },
) {
  const volumeBy = new Map<string, number>();
  for (const r of rows.intents)
    volumeBy.set(r.currency, (volumeBy.get(r.currency) ?? 0) + r.volume);
  const currency =
    [...volumeBy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ??
    rows.intents[0]?.currency ??
    null;
  const first = range.from - (range.from % range.bucketMs);
  const buckets: { start: number; count: number; succeeded: number; volume: number }[] = [];
  for (let b = first; b <= range.to; b += range.bucketMs) {
    buckets.push({ start: Math.floor(b / 1000), count: 0, succeeded: 0, volume: 0 });
  }
  for (const r of rows.intents) {
    const bucket = buckets[Math.floor((r.bucket - first) / range.bucketMs)];
    if (!bucket) continue;
    bucket.count += r.count;
    bucket.succeeded += r.succeeded;
    if (r.currency === currency) bucket.volume += r.volume;
  }
  const settled = rows.attempts.filter(
    (a) =>
      a.status === 'succeeded' ||
      a.status === 'authorized' ||
      (a.status === 'failed' && a.declineCode !== 'abandoned'),
  );
  const won = settled.filter((a) => a.status !== 'failed').reduce((n, a) => n + a.count, 0);
  const total = settled.reduce((n, a) => n + a.count, 0);
  const declines = new Map<string, number>();
  const methods = new Map<string, number>();
  for (const a of settled) {
    if (a.status === 'failed') {
      const code = a.declineCode ?? 'unknown';
      declines.set(code, (declines.get(code) ?? 0) + a.count);
    } else methods.set(a.method, (methods.get(a.method) ?? 0) + a.count);
  }
  const latencies = rows.webhooks.map((w) => w.latencyMs).sort((x, y) => x - y);
  const non2xx = rows.webhooks.filter(
    (w) => w.status === null || w.status < 200 || w.status >= 300,
  );
  const byCount = (m: Map<string, number>) =>
    [...m.entries()].sort((x, y) => y[1] - x[1]).map(([key, count]) => ({ key, count }));
  return {
    from: Math.floor(range.from / 1000),
    to: Math.floor(range.to / 1000),
    bucket: range.bucketMs === HOUR_MS ? 'hour' : 'day',
    currency,
    totals: {
      count: buckets.reduce((n, b) => n + b.count, 0),
      succeeded: buckets.reduce((n, b) => n + b.succeeded, 0),
      volume: buckets.reduce((n, b) => n + b.volume, 0),
    },
    success_rate: total === 0 ? null : won / total,
    attempts: total,
    series: buckets,
    declines: byCount(declines),
    methods: byCount(methods),
    webhooks: {
      attempts: rows.webhooks.length,
      p50_ms: percentile(latencies, 0.5),
      p99_ms: percentile(latencies, 0.99),
      non_2xx_rate: rows.webhooks.length === 0 ? null : non2xx.length / rows.webhooks.length,
    },
  };
}

/** Dead deliveries one replay sends again; the answer says when there are more. */
const REPLAY_LIMIT = 500;

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
