import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import {
  loginBodySchema,
  modeQuerySchema,
  passwordBodySchema,
  sessionSchema,
  signedOutSchema,
} from '@kassa/protocol/dashboard';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import type { AppEnv } from '../http/env.ts';
import { errors, json, jsonBody, openApiApp } from '../http/openapi-app.ts';
import { clientKeyOf, hitLimit } from '../http/rate-limit.ts';
import { safeEqual } from '../merchants/keys.ts';
import type { DashboardSessionRow, DashboardUserRow, MerchantRow } from '../store/types.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';

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

export type DashEnv = AppEnv & {
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

export const sessionSecurity = [{ dashboardSession: [] }];

/**
 * Sessions of the dashboard's JSON API: sign-in with a session cookie (HttpOnly,
 * SameSite=Strict, Secure on https; the token is kept only as a hash), CSRF protection on
 * every change (a per-session token in `X-CSRF-Token`, and an Origin that must be ours),
 * idle and absolute expiry, sign-out everywhere, rate-limited sign-in, and roles: a viewer
 * reads, an owner also refunds, captures, cancels, reconciles and changes settings.
 * Returns the guards the other dashboard routes stand behind, and the session's routes.
 */
export function dashboardSessions(deps: Deps) {
  const { store, clock, config } = deps;
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
    await store.transaction((tx) => tx.sessions.insert(session));
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

  /** Everything but sign-in needs a live session; changes need its CSRF token too. Until
   * a generated password is replaced, only the session, sign-out and the password itself
   * answer (`signedIn`); every other route (`requireSession`) refuses. */
  const session =
    (passwordToChangeAllowed: boolean): MiddlewareHandler<DashEnv> =>
    async (c, next) => {
      const tokens = sessionTokens(c, cookies.session);
      const token = tokens[0];
      const now = clock.now();
      const found = await store.read(async (tx) => {
        for (const t of tokens) {
          const session = await tx.sessions.get(sha256(t));
          const user = session ? await tx.users.get(session.userId) : null;
          const merchant = user ? await tx.merchants.get(user.merchantId) : null;
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
            tx.sessions.touch(found.session.id, now, now - SESSION_IDLE_MS),
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
  /** Reading is for everyone signed in; anything else is for owners. */
  const readOnlyForViewers: MiddlewareHandler<DashEnv> = async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return ownerOnly(c, next);
    await next();
  };

  const routes = openApiApp<DashEnv>();
  const tags = ['Session'];
  // Sign-in is the one route without a session: the router's middleware lists the others.
  routes.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      operationId: 'dashboardLogin',
      tags,
      security: [],
      summary: 'Sign in: sets the session cookie (and the device cookie)',
      request: { query: modeQuerySchema, ...jsonBody(loginBodySchema) },
      responses: { 200: json(sessionSchema, 'Signed in'), ...errors(400, 401, 429) },
    }),
    async (c) => {
      checkOrigin(c);
      const { email, password } = c.req.valid('json');
      await hit(c, `dash-login:client:${clientKeyOf(c, config)}`, config.dashboardLoginsPerMinute);
      const user = await store.read((tx) => tx.users.byEmail(email));
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
          tx.settings.claim(
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
        await store.transaction((tx) => tx.sessions.delete({ id: sha256(before) }));
      }
      const session = await startSession(c, user);
      setCookie(c, cookies.device, deviceToken(user.id), {
        httpOnly: true,
        sameSite: 'Strict',
        secure,
        path: cookies.path,
        maxAge: DEVICE_MAX_AGE_S,
      });
      const merchant = (await store.read((tx) => tx.merchants.get(user.merchantId))) as MerchantRow;
      return c.json(describe(user, merchant, session), 200);
    },
  );
  routes.openapi(
    createRoute({
      method: 'get',
      path: '/session',
      operationId: 'dashboardSession',
      tags,
      security: sessionSecurity,
      summary: 'Who is signed in, and the CSRF token',
      request: { query: modeQuerySchema },
      responses: { 200: json(sessionSchema, 'The session') },
    }),
    (c) => c.json(describe(c.get('user'), c.get('merchant'), c.get('session')), 200),
  );
  routes.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      operationId: 'dashboardLogout',
      tags,
      security: sessionSecurity,
      summary: 'Sign out this browser',
      request: { query: modeQuerySchema },
      responses: { 200: json(signedOutSchema, 'Signed out') },
    }),
    async (c) => {
      await store.transaction((tx) => tx.sessions.delete({ id: c.get('session').id }));
      deleteCookie(c, cookies.session, { path: cookies.path, secure });
      return c.json({ signed_out: 1 }, 200);
    },
  );
  routes.openapi(
    createRoute({
      method: 'post',
      path: '/logout_everywhere',
      operationId: 'dashboardLogoutEverywhere',
      tags,
      security: sessionSecurity,
      summary: 'Sign out every session of this user',
      request: { query: modeQuerySchema },
      responses: { 200: json(signedOutSchema, 'How many sessions ended') },
    }),
    async (c) => {
      const n = await store.transaction((tx) => tx.sessions.delete({ userId: c.get('user').id }));
      deleteCookie(c, cookies.session, { path: cookies.path, secure });
      return c.json({ signed_out: n }, 200);
    },
  );
  /** A new password, given the current one: every session of the user ends (a session
   * someone else may hold ends with the old password) and this browser gets a new one. */
  routes.openapi(
    createRoute({
      method: 'post',
      path: '/password',
      operationId: 'dashboardChangePassword',
      tags,
      security: sessionSecurity,
      summary: 'Change the password; every other session ends',
      request: { query: modeQuerySchema, ...jsonBody(passwordBodySchema) },
      responses: {
        200: json(sessionSchema, 'The new session'),
        ...errors(400, 409, 429),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const { current_password: current, new_password: next } = c.req.valid('json');
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
        if (!(await tx.users.changePassword(user.id, user.passwordHash, hash))) return false;
        await tx.sessions.delete({ userId: user.id });
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
        200,
      );
    },
  );

  return {
    routes,
    requireSession: session(false),
    signedIn: session(true),
    ownerOnly,
    readOnlyForViewers,
  };
}
