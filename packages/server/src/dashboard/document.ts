import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { modeQuerySchema } from '@kassa/protocol/dashboard';
import { DESCRIPTIONS as API_DESCRIPTIONS } from '../docs/openapi.ts';
import { ERROR_STATUSES, type ErrorStatus, errors } from '../http/openapi-app.ts';
import { DASHBOARD_API } from './routes.ts';
import { type DashEnv, SESSION_COOKIE } from './session.ts';

// biome-ignore lint/suspicious/noExplicitAny: the generated document is plain JSON
type Json = any;

const TAGS = [
  { name: 'Session', description: 'Sign-in, the session cookie and its CSRF token, sign-out.' },
  { name: 'Payments', description: 'Payments, their timelines, and refund, capture, cancel.' },
  { name: 'Overview', description: 'Figures over a range.' },
  { name: 'Developers', description: 'Keys and allowed origins.' },
  { name: 'Webhooks', description: "`/v1`'s endpoints and deliveries, and replaying dead ones." },
  { name: 'Reconciliation', description: "`/v1`'s reconciliation runs." },
];

/** What each of the dashboard's own operations does; `/v1`'s keep their own words. */
const DESCRIPTIONS: Record<string, string> = {
  dashboardLogin:
    'Limited per client and per address; a browser the user signed in from before is never held by the per-address limit. A generated password signs in once.',
  dashboardSession: 'The signed-in user, their merchant, and the CSRF token for changes.',
  dashboardLogout: 'Ends this browser’s session.',
  dashboardLogoutEverywhere: 'Ends every session of the user, this one included.',
  dashboardChangePassword:
    'Needs the current password; every session of the user ends and this browser gets a new one.',
  dashboardListPayments:
    'With `q`, the payment of that intent id, order id or processor reference; otherwise a page of payments filtered as `/v1/payment_intents` filters.',
  dashboardRetrievePayment:
    'The intent, its attempts (method, card brand and last four, decline codes, processor references), refunds and every event with its webhook deliveries.',
  dashboardRefundPayment:
    '`/v1/refunds` for this payment: all of what remains, or `amount` of it. Owners only.',
  dashboardCapturePayment: 'Captures a held payment in full, as `/v1` does. Owners only.',
  dashboardCancelPayment: 'Cancels an open payment or releases a held one. Owners only.',
  dashboardOverview:
    'Per hour or day over the range (default the last 7 days): count, volume, success rate per attempt, declines, methods, webhook latency.',
  dashboardDevelopers:
    'The publishable key, the secret keys by their last four characters (with when a rolled one stops), and the allowed origins.',
  dashboardRollSecretKey:
    'Makes a new secret key, shown once; the old one keeps working for 24 hours. An `api_key.rolled` event records it. Owners only.',
  dashboardExpireSecretKey:
    'Ends now the live secret key that ends in `last4`: a rolled one, or the current one (then a new one is made and shown once). An `api_key.expired` event records it. Owners only.',
  dashboardSetOrigins: 'Replaces the list of origins; each is checked. Owners only.',
  dashboardReplayDeadDeliveries:
    'Sends again each dead delivery to the endpoint created in the range, once even when two replays run at once. Owners only.',
  dashboardReconciliationRunCsv:
    "The rows of a run as CSV; cells that would run as a formula start with `'`.",
};

const error = (status: ErrorStatus | 403, description: string) => ({
  description: status === 403 ? description : `${ERROR_STATUSES[status]}${description}`,

  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const WRITE = new Set(['post', 'patch', 'put', 'delete']);
/** The routes the idempotency middleware stands in front of. */
const IDEMPOTENT = /^\/dashboard\/api\/payments\/\{id\}\/(refunds|capture|cancel)$/;

/**
 * The OpenAPI 3.1 document of the dashboard's API: what the dashboard's pages may send and
 * what each answer is. Not a public API (it changes with the dashboard), so it is kept
 * apart from `/openapi.json`; the tests check every dashboard answer against it, as they
 * check `/v1`'s against that one.
 */
export function dashboardDocument(api: OpenAPIHono<DashEnv>, publicUrl: string): Json {
  api.openAPIRegistry.registerPath({
    method: 'get',
    path: `${DASHBOARD_API}/reconciliation_runs/{id}/csv`,
    operationId: 'dashboardReconciliationRunCsv',
    tags: ['Reconciliation'],
    summary: "A run's report as CSV",
    request: { params: z.object({ id: z.string() }), query: modeQuerySchema },
    responses: {
      200: { description: 'The report', content: { 'text/csv': { schema: z.string() } } },
      ...errors(404),
    },
  });
  const doc: Json = api.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Kassa dashboard API',
      version: '1.0.0',
      description:
        "The JSON API of Kassa's dashboard, for its own pages on the gateway's origin. Not for integrations: use `/v1` with a secret key.",
      contact: { name: 'Kassa', url: publicUrl },
    },
    servers: [{ url: publicUrl, description: 'This gateway' }],
    tags: TAGS,
  });
  doc.components.securitySchemes = {
    dashboardSession: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description:
        'The session cookie sign-in sets (`__Host-kassa_session` over https). Changes also need the session’s `X-CSRF-Token` and an Origin of the gateway.',
    },
  };
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const responses = op.responses;
      const add = (status: ErrorStatus | 403, description: string) => {
        responses[status] ??= error(status, description);
      };
      // Every route validates its query (unknown parameters too) as `/v1` does.
      add(400, '');
      const signIn = op.operationId === 'dashboardLogin';
      op.security = signIn ? [] : [{ dashboardSession: [] }];
      if (!signIn) add(401, ': not signed in, or the session ended');
      add(
        403,
        signIn
          ? 'Not sent from the dashboard (Origin)'
          : 'Not sent from the dashboard (CSRF token, Origin), a viewer asking for an owner’s change, or a generated password still to be changed',
      );
      if (WRITE.has(method)) {
        add(413, '');
        add(415, '');
      }
      if (IDEMPOTENT.test(path)) {
        op.parameters = [
          ...(op.parameters ?? []),
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'One per confirmation: a double click moves money once.',
            schema: { type: 'string', maxLength: 255 },
          },
        ];
        add(409, '; or this Idempotency-Key is held by a request still running');
        add(422, '');
      }
      add(500, '');
      op.description ??= DESCRIPTIONS[op.operationId] ?? API_DESCRIPTIONS[op.operationId];
    }
  }
  return doc;
}
