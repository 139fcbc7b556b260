import { createRoute } from '@hono/zod-openapi';
import {
  developersSchema,
  expiredKeySchema,
  expireKeyBodySchema,
  modeQuerySchema,
  originsBodySchema,
  originsSchema,
  rolledKeySchema,
  upiCollectBodySchema,
  upiCollectSchema,
} from '@kassa/protocol/dashboard';
import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { callerOf } from '../http/caller.ts';
import { errors, json, jsonBody, openApiApp } from '../http/openapi-app.ts';
import { expireSecretKey, rollSecretKey } from '../keys/rotation.ts';
import { keyLive } from '../merchants/keys.ts';
import { normaliseOrigin } from '../merchants/merchants.ts';
import { type DashEnv, sessionSecurity } from './session.ts';

/**
 * Developers: the keys (the publishable key; the secret keys' last four characters,
 * rolled or expired now, each change an `api_key.*` event) and the origins allowed to
 * open checkout. The secret key itself is shown once, when it is made.
 */
export function developerRoutes(deps: Deps, ownerOnly: MiddlewareHandler<DashEnv>) {
  const { store, clock } = deps;
  const app = openApiApp<DashEnv>();
  const tags = ['Developers'];
  const security = sessionSecurity;
  const changedBy = (c: { get(k: 'user'): { email: string } }) =>
    `dashboard:${c.get('user').email}`;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/',
      operationId: 'dashboardDevelopers',
      tags,
      security,
      summary: 'The keys of the mode and the allowed origins',
      request: { query: modeQuerySchema },
      responses: { 200: json(developersSchema, 'Keys and origins') },
    }),
    async (c) => {
      const caller = callerOf(c);
      const now = clock.now();
      const keys = await store.read((tx) => tx.apiKeys.list(caller.merchantId, caller.livemode));
      const publishable = keys.find((k) => k.kind === 'publishable' && keyLive(k, now));
      return c.json(
        {
          publishable_key: publishable?.publishableKey ?? null,
          secret_keys: keys
            .filter((k) => k.kind === 'secret' && keyLive(k, now))
            .map((k) => ({
              last4: k.last4,
              created: Math.floor(k.createdAt / 1000),
              expires_at: k.revokedAt === null ? null : Math.floor(k.revokedAt / 1000),
            })),
          allowed_origins: caller.merchant.allowedOrigins,
          upi_collect: caller.merchant.upiCollect,
        },
        200,
      );
    },
  );

  app.use('/roll_secret', ownerOnly);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/roll_secret',
      operationId: 'dashboardRollSecretKey',
      tags,
      security,
      summary: 'A new secret key, shown once; the old one works for 24 hours more (owners)',
      request: { query: modeQuerySchema },
      responses: { 200: json(rolledKeySchema, 'The new key'), ...errors(409) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const rolled = await rollSecretKey(
        store,
        clock,
        caller.merchantId,
        caller.livemode,
        changedBy(c),
      );
      if (!rolled) {
        throw new ApiError(
          409,
          'roll_in_progress',
          'The key was just rolled. Reload and try again.',
        );
      }
      return c.json(
        {
          secret_key: rolled.secret,
          previous_expires_at:
            rolled.previousExpiresAt === null ? null : Math.floor(rolled.previousExpiresAt / 1000),
        },
        200,
      );
    },
  );

  // A leaked key ends now: a rolled one still in its grace period, or the current one
  // (a new key is made with it and shown once).
  app.use('/expire_secret', ownerOnly);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/expire_secret',
      operationId: 'dashboardExpireSecretKey',
      tags,
      security,
      summary: 'End a secret key now, by its last four characters (owners)',
      request: { query: modeQuerySchema, ...jsonBody(expireKeyBodySchema) },
      responses: { 200: json(expiredKeySchema, 'Expired'), ...errors(400, 404) },
    }),
    async (c) => {
      const caller = callerOf(c);
      const { last4 } = c.req.valid('json');
      const done = await expireSecretKey(
        store,
        clock,
        caller.merchantId,
        caller.livemode,
        last4,
        changedBy(c),
      );
      if (!done) {
        throw new ApiError(404, 'resource_missing', `No live secret key ends in ${last4}.`, {
          param: 'last4',
        });
      }
      return c.json({ expired: done.expired, secret_key: done.secret }, 200);
    },
  );

  app.use('/origins', ownerOnly);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/origins',
      operationId: 'dashboardSetOrigins',
      tags,
      security,
      summary: 'The origins (scheme://host[:port]) allowed to open checkout (owners)',
      request: { query: modeQuerySchema, ...jsonBody(originsBodySchema) },
      responses: { 200: json(originsSchema, 'The origins now'), ...errors(400) },
    }),
    async (c) => {
      let origins: string[];
      try {
        origins = [
          ...new Set(
            c.req
              .valid('json')
              .origins.map((o) => o.trim())
              .filter(Boolean)
              .map(normaliseOrigin),
          ),
        ];
      } catch (err) {
        throw new ApiError(400, 'parameter_invalid', (err as Error).message, {
          param: 'origins',
        });
      }
      const id = c.get('merchant').id;
      await store.transaction((tx) => tx.merchants.update(id, { allowedOrigins: origins }));
      return c.json({ allowed_origins: origins }, 200);
    },
  );

  app.use('/upi_collect', ownerOnly);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/upi_collect',
      operationId: 'dashboardSetUpiCollect',
      tags,
      security,
      summary: 'Offer UPI collect requests on the payment page, or not (owners)',
      description:
        'UPI collect: the shopper types a UPI ID and approves a request in their app. NPCI retired it for most merchants on 28 February 2026: turn it on only if your category is exempt. UPI by app and QR code is always offered.',
      request: { query: modeQuerySchema, ...jsonBody(upiCollectBodySchema) },
      responses: { 200: json(upiCollectSchema, 'The setting now'), ...errors(400) },
    }),
    async (c) => {
      const enabled = c.req.valid('json').enabled;
      const id = c.get('merchant').id;
      await store.transaction((tx) => tx.merchants.update(id, { upiCollect: enabled }));
      return c.json({ upi_collect: enabled }, 200);
    },
  );
  return app;
}
