import type { OpenAPIHono } from '@hono/zod-openapi';
import { modeShape } from '@kassa/protocol/dashboard';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { requireJson } from '../http/json-body.ts';
import { openApiApp } from '../http/openapi-app.ts';
import type { IntentService } from '../intents/service.ts';
import { reconciliationRoutes } from '../reconciliation/routes.ts';
import type { Refunds } from '../refunds/refunds.ts';
import { webhookDeliveryRoutes, webhookEndpointRoutes } from '../webhooks/routes.ts';
import { developerRoutes } from './developers.ts';
import { overviewRoutes } from './overview.ts';
import { paymentRoutes } from './payments.ts';
import { replayRoutes } from './replay.ts';
import { type DashEnv, dashboardSessions } from './session.ts';

export { SESSION_ABSOLUTE_MS, SESSION_COOKIE, SESSION_IDLE_MS } from './session.ts';

/** Where the dashboard's JSON API lives. */
export const DASHBOARD_API = '/dashboard/api';

/**
 * The dashboard's JSON API at `/dashboard/api`, for the dashboard's own pages on the same
 * origin (a session cookie, not API keys; see `session.ts`). One OpenAPI sub-app per
 * resource, validated as `/v1` is (the same schemas, unknown parameters refused, the same
 * 400s) and described in its own OpenAPI document (`dashboardDocument`), which the tests
 * check every answer against. Where `/v1` has the resource — webhook endpoints and
 * deliveries, reconciliation runs — its own routes are mounted, with `mode` added; refunds,
 * captures and cancels go through `/v1`'s services.
 */
export function dashboardApi(deps: Deps, services: { intents: IntentService; refunds: Refunds }) {
  const api = openApiApp<DashEnv>();
  const { routes, requireSession, signedIn, ownerOnly, readOnlyForViewers } =
    dashboardSessions(deps);
  const at = (path: string) => `${DASHBOARD_API}${path}`;
  // A body is JSON or nothing (a body sent as text/plain is a 415, never read as `{}`).
  api.use(at('/*'), requireJson);
  /** A resource's routes at `path`, behind the guards (in Hono `/x/*` matches `/x` too). */
  const mount = (
    path: string,
    // `/v1`'s sub-apps know only the API's variables; the dashboard's add the user's.
    sub: OpenAPIHono<DashEnv> | OpenAPIHono<AppEnv>,
    ...guards: MiddlewareHandler<DashEnv>[]
  ) => {
    for (const guard of guards) api.use(at(`${path}/*`), guard);
    api.route(at(path), sub as unknown as OpenAPIHono<DashEnv>);
  };

  // Until a generated password is changed, only the session's own routes answer.
  for (const path of ['/session', '/logout', '/logout_everywhere', '/password']) {
    api.use(at(path), signedIn);
  }
  api.route(at(''), routes);
  mount('/payments', paymentRoutes(deps, services, ownerOnly), requireSession);
  mount('/overview', overviewRoutes(deps), requireSession);
  mount('/developers', developerRoutes(deps, ownerOnly), requireSession);
  // `/v1`'s own routes: reading is for everyone signed in (an endpoint's secret is not),
  // running reconciliation (it records missed successes and sends their webhooks),
  // changing endpoints and retrying deliveries is for owners.
  const endpointOwners: typeof ownerOnly = async (c, next) => {
    if (c.req.method !== 'GET' || c.req.path.endsWith('/secret')) return ownerOnly(c, next);
    await next();
  };
  mount(
    '/reconciliation_runs',
    reconciliationRoutes(deps, modeShape),
    requireSession,
    readOnlyForViewers,
  );
  mount('/endpoints', webhookEndpointRoutes(deps, modeShape), requireSession, endpointOwners);
  mount('/endpoints', replayRoutes(deps));
  mount(
    '/webhook_deliveries',
    webhookDeliveryRoutes(deps, modeShape),
    requireSession,
    readOnlyForViewers,
  );
  return api;
}

/**
 * The dashboard API as plain Hono routes for the gateway's app: mounted so, its routes
 * stay out of the public `/openapi.json` (they have their own document).
 */
export const asPlainRoutes = (api: OpenAPIHono<DashEnv>) => new Hono<AppEnv>().route('/', api);
