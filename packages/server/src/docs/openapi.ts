import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { EVENT_TYPES, eventSchemas } from '@kassa/protocol';
import type { AppEnv } from '../http/env.ts';
import { ERROR_STATUSES, errors, json, jsonBody } from '../http/openapi-app.ts';

type Registry = OpenAPIHono<AppEnv>['openAPIRegistry'];
// biome-ignore lint/suspicious/noExplicitAny: the generated document is plain JSON
type Json = any;

const TAGS = [
  {
    name: 'Payment intents',
    description: 'A payment for one order, from creation to its outcome.',
  },
  { name: 'Refunds', description: 'Money back to the shopper, in full or in part.' },
  { name: 'Events', description: 'Every state change, newest first; what webhooks carry.' },
  { name: 'Webhooks', description: 'Endpoints that receive events, and their deliveries.' },
  { name: 'Reconciliation', description: "A day's payments against the processors' reports." },
  { name: 'Operations', description: 'The background queue, and health.' },
  {
    name: 'Client',
    description:
      'What checkout.js and the hosted page call with a publishable key and an intent’s `client_secret`.',
  },
  {
    name: 'Processors',
    description: 'Notifications from processors, and the pages a processor shows the shopper.',
  },
  { name: 'Browser', description: 'The script and pages a shopper’s browser loads.' },
  {
    name: 'Payments API (/api/v1)',
    description:
      'The older payments API, for integrations written against it: `X-Api-Key` (publishable key) and `X-Api-Secret` (secret key) headers, over the same services as `/v1` (UPI payments, capture, refunds).',
  },
];

const DESCRIPTION = `Kassa's HTTP API. Amounts are integers in the currency's minor unit (cents,
paise; yen have none). Objects have a prefixed id and a \`livemode\` flag; a test key
sees only test objects.

**Authentication.** Your server sends \`Authorization: Bearer sk_test_…\` (secret key).
checkout.js and the hosted page send the publishable key (\`pk_test_…\`) and the
intent's \`client_secret\`.

**Errors.** Every error has the one \`Error\` shape: \`type\`, a stable \`code\`, a
human \`message\` and, for invalid fields, \`param\`.

**Idempotency.** Send \`Idempotency-Key\` on every POST. The same key with the same body
replays the first answer (\`Idempotent-Replayed: true\`); with another body it is a 422;
while the first request is still running it is a 409 with \`Retry-After\`.

**Pagination.** Lists are newest first: \`limit\` (1–100), \`starting_after\` or
\`ending_before\` an object id, and \`has_more\`.

**Webhooks.** Each event is POSTed to your endpoints, signed as
[Standard Webhooks](https://www.standardwebhooks.com/) sign: \`webhook-id\` (the event id),
\`webhook-timestamp\` (Unix seconds) and \`webhook-signature\`: \`v1,\` and the base64
HMAC-SHA256 of \`{webhook-id}.{webhook-timestamp}.{body}\` keyed with the bytes of your
endpoint's \`whsec_…\` secret after the prefix (base64-decoded). During a rotation two
signatures are sent, separated by a space. Answer 2xx within 15 s; anything else is retried
(after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h), then the delivery is dead
(\`webhook_delivery.dead\`).
Reject timestamps more than 5 minutes from your clock, and handle each event id once.

**Test cards** (sandbox, test mode): 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is
declined; 4000 0000 0000 9995 has insufficient funds; 4000 0027 6000 3184 asks for 3-D
Secure; 4000 0000 0000 1059 settles later (processing, then succeeded). Any future expiry,
any CVC.`;

/** What each operation does, for those whose route gives only a summary. */
export const DESCRIPTIONS: Record<string, string> = {
  listPaymentIntents:
    'Your intents of the key’s mode, newest first. Filter by `status`, `order_id` or `created[gte]`/`created[lte]` (Unix seconds).',
  retrievePaymentIntent:
    'The intent as it stands now. Poll this (or better, listen for webhooks) to learn an outcome.',
  cancelPaymentIntent:
    'Cancels an open intent, or releases a held (manual-capture) payment at the processor. A succeeded, canceled or expired intent answers 409.',
  capturePaymentIntent:
    'Captures a held payment (`requires_capture`), in full or `amount_to_capture` of it; the rest is released. The processor is asked once, even when retried.',
  createWebhookEndpoint:
    'Registers a URL to receive events. The answer carries `secret` (`whsec_…`): keep it to verify signatures. Public https URLs only in live mode.',
  listWebhookEndpoints:
    'Your endpoints of the key’s mode, newest first (deleted ones are not listed).',
  retrieveWebhookEndpoint: 'The endpoint, without its secret.',
  updateWebhookEndpoint:
    'Changes the URL, events, description or status. A disabled endpoint receives nothing until enabled again.',
  deleteWebhookEndpoint: 'Deletes the endpoint; deliveries still pending to it are canceled.',
  revealWebhookEndpointSecret: 'The endpoint’s current signing secret.',
  rotateWebhookEndpointSecret:
    'Makes a new secret. The old one keeps signing beside it for `expires_in` seconds, so receivers can switch without missing events.',
  listWebhookDeliveries:
    'What was sent to this endpoint and how each attempt went (status, latency, error), newest first.',
  retryWebhookDelivery:
    'Sends a settled (dead, delivered or canceled) delivery again now, with a fresh retry schedule. A delivery still pending answers 409.',
  listEvents:
    'Every state change, newest first: catch up after downtime with `created[gte]`, or one object’s timeline with `object`. `type` takes an event type, a prefix such as `payment_intent.*`, or `*`.',
  retrieveEvent: 'One event, exactly as webhooks carry it.',
  redeliverEvent:
    'Queues the event again to one `endpoint`, or to every enabled endpoint that wants it.',
  createRefund:
    'Refunds a succeeded payment, all of what remains or `amount` of it. Several partial refunds may add up to the amount received, never more.',
  listRefunds: 'Your refunds, newest first; `payment_intent` for one intent’s.',
  retrieveRefund: 'The refund as it stands: pending, succeeded or failed.',
  getJobStats:
    'How many background jobs (webhook deliveries, async payments, refunds) are queued, running, retrying or dead, per kind: a quick health check for operators.',
  createReconciliationRun:
    "Compares one day's payments with the processors' settlement reports. Safe fixes (an outcome the gateway missed) are applied; the rest is reported.",
  listReconciliationRuns: 'Your reconciliation runs, newest first.',
  retrieveReconciliationRun: 'A run with its summary and every row.',
  getReconciliationRunCsv: 'The same rows as CSV, for a spreadsheet.',
  retrieveClientPaymentIntent:
    'What the payment page may show of an intent: amount, status, merchant name, attempts left. Needs the intent’s `client_secret`.',
  getHealth: 'Answers 200 when the gateway can read its database; for load balancers.',
  getCheckoutScript:
    'The embeddable script: `Kassa.open({ key, paymentIntent, clientSecret })` opens the payment page in a modal and calls back with the outcome.',
  getPaymentPage:
    'The hosted payment page. checkout.js opens it in an iframe; it can also be opened on its own with the `checkout_url` of an intent.',
  getProcessorPage: 'Pages a processor shows the shopper itself, such as a 3-D Secure challenge.',
  postProcessorPage: 'Where a processor page’s form posts the shopper’s answer.',
  getMetrics:
    'Request counts and latencies by route, payments and declines, webhook deliveries, the job queue, processor events refused. Served here only when KASSA_METRICS_TOKEN is set (404 otherwise; KASSA_METRICS_PORT serves it without a token on 127.0.0.1).',
  getFavicon:
    'Kassa’s mark, which browsers show in the tab of the payment page, the dashboard and this reference.',
  getOpenApiDocument: 'This document: generate clients from it, or lint it.',
  getDocs: 'This reference, rendered from /openapi.json; works offline.',
  getDocsRenderer: 'Served by the gateway itself, so the reference needs no CDN.',
  seed002CreatePayment:
    'Creates a UPI payment for an order; the worker authorises it (status `pending`, then `success` or `failed`). Cards are taken with checkout.js only.',
  seed002GetPayment: 'The payment, in this API’s own shape.',
  seed002CapturePayment: 'Captures an authorised (`success`, not captured) payment.',
  seed002RefundPayment: 'Refunds a captured payment, in full or `amount` of it.',
  seed002JobStatus: 'The job queue at a glance, and whether the worker runs.',
};

const idParam = z.object({ id: z.string() });
const seedPayment = z
  .object({
    id: z.string(),
    order_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    method: z.string(),
    status: z.enum(['pending', 'success', 'failed']),
    captured: z.boolean(),
    amount_refunded: z.number().int(),
    error_code: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Seed002Payment' });
const html = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
});
const seedSecurity = [{ seedApiKey: [], seedApiSecret: [] }];

/** The routes that are not OpenAPI routes of their own: plain Hono handlers, pages. */
function describePlainRoutes(r: Registry) {
  r.registerPath({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tags: ['Operations'],
    summary: 'Health: the database answers',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Healthy') },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/reconciliation_runs/{id}/csv',
    operationId: 'getReconciliationRunCsv',
    tags: ['Reconciliation'],
    security: [{ secretKey: [] }],
    summary: "A run's report as CSV",
    request: { params: idParam },
    responses: {
      200: { description: 'The report', content: { 'text/csv': { schema: z.string() } } },
      ...errors(404),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/v1/client/payment_intents/{id}/events',
    operationId: 'streamClientPaymentIntent',
    tags: ['Client'],
    security: [{ publishableKey: [] }, {}],
    summary: 'The intent now, then each change until it settles (Server-Sent Events)',
    description:
      'Each message is `event: payment_intent` with the ClientPaymentIntent as `data`. The stream ends when the intent stops waiting (or after a few minutes; reconnect).',
    request: {
      params: idParam,
      query: z.object({ client_secret: z.string() }),
    },
    responses: {
      200: {
        description: 'An event stream of ClientPaymentIntent',
        // The body is the event stream itself, not JSON: each message's `data:` line is a
        // ClientPaymentIntent, as `retrieveClientPaymentIntent` answers it.
        content: {
          'text/event-stream': {
            schema: z.string().meta({
              description:
                'Server-Sent Events: `event: payment_intent`, then `data:` and a ClientPaymentIntent as JSON, per change.',
              example:
                'event: payment_intent\ndata: {"id":"pi_2Hq8…","object":"payment_intent","status":"processing",…}\n\n',
            }),
          },
        },
      },
      ...errors(400, 404),
    },
  });
  // Processors' notifications: one route per adapter, and one per merchant's own account.
  const notificationBody = {
    content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
  };
  const received = json(
    z.object({ received: z.literal(true), duplicate: z.boolean(), applied: z.boolean() }),
    'Received',
  );
  for (const route of [
    {
      path: '/v1/processor_webhooks/{processor}',
      operationId: 'receiveProcessorNotification',
      summary: "A processor's signed notification of a payment outcome",
      description:
        "Authenticated by the processor's own signature, not an API key. A notification is a trigger, not a fact: the gateway asks the processor how the payment stands and applies that. Duplicates are answered 200 and not applied twice.",
      params: z.object({ processor: z.string().meta({ example: 'sandbox' }) }),
    },
    {
      path: '/v1/processor_webhooks/{processor}/{account}',
      operationId: 'receiveAccountProcessorNotification',
      summary: "A merchant's processor account's signed webhook (Stripe)",
      description:
        "For processors connected with the merchant's own account: the URL `kassa processors set` prints, registered in the processor's dashboard. Verified with that account's signing secret (Stripe: `Stripe-Signature`, 5 minutes' tolerance). An event is a trigger, not a fact: it is applied only to that account's own objects (its merchant and mode) and only as Stripe's own record of the object, asked with the account's key, says; one naming another account's or mode's object is answered 200 with `applied: false` and counted (`kassa_processor_events_rejected_total`). Payment outcomes, refunds and disputes are applied; other event types are acknowledged and dropped. Duplicates are answered 200 and not applied twice. 503 when the processor could not be asked: it sends the event again later.",
      params: z.object({
        processor: z.string().meta({ example: 'stripe' }),
        account: z.string().meta({ example: 'pacct_2Hq8…' }),
      }),
    },
  ]) {
    r.registerPath({
      method: 'post',
      path: route.path,
      operationId: route.operationId,
      tags: ['Processors'],
      summary: route.summary,
      description: route.description,
      request: { params: route.params, body: notificationBody },
      responses: { 200: received, ...errors(400, 401, 404, 503) },
    });
  }
  r.registerPath({
    method: 'get',
    path: '/checkout.js',
    operationId: 'getCheckoutScript',
    tags: ['Browser'],
    summary: 'checkout.js, the script a shop adds with one <script> tag',
    responses: {
      200: { description: 'The script', content: { 'text/javascript': { schema: z.string() } } },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/pay/{id}',
    operationId: 'getPaymentPage',
    tags: ['Browser'],
    summary: 'The hosted payment page of an intent (the client secret follows in the fragment)',
    request: { params: idParam },
    responses: { 200: html('The page'), 404: html('No such intent') },
  });
  for (const method of ['get', 'post'] as const) {
    r.registerPath({
      method,
      path: '/processors/{processor}/{page}',
      operationId: method === 'get' ? 'getProcessorPage' : 'postProcessorPage',
      tags: ['Processors'],
      summary: "A processor's own page (3-D Secure challenge, the redirect app)",
      request: { params: z.object({ processor: z.string(), page: z.string() }) },
      responses: { 200: html('The page'), 302: { description: 'Back to the payment page' } },
    });
  }
  r.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['Operations'],
    security: [{ metricsToken: [] }],
    summary: 'Prometheus metrics (with KASSA_METRICS_TOKEN)',
    responses: {
      200: {
        description: "Prometheus' text format",
        content: { 'text/plain': { schema: z.string() } },
      },
      ...errors(404),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/favicon.ico',
    operationId: 'getFavicon',
    tags: ['Browser'],
    summary: "The gateway's icon, for browsers' tabs",
    responses: {
      200: { description: 'An SVG icon', content: { 'image/svg+xml': { schema: z.string() } } },
    },
  });
  r.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tags: ['Browser'],
    summary: 'This document, OpenAPI 3.1',
    responses: { 200: json(z.record(z.string(), z.unknown()), 'The document') },
  });
  r.registerPath({
    method: 'get',
    path: '/docs',
    operationId: 'getDocs',
    tags: ['Browser'],
    summary: 'This reference',
    responses: { 200: html('The reference') },
  });
  r.registerPath({
    method: 'get',
    path: '/docs/redoc.standalone.js',
    operationId: 'getDocsRenderer',
    tags: ['Browser'],
    summary: 'Redoc, which renders this reference in the browser',
    responses: {
      200: { description: 'The script', content: { 'text/javascript': { schema: z.string() } } },
      503: { description: 'Redoc is not installed' },
    },
  });

  // Seed 002.
  r.registerPath({
    method: 'post',
    path: '/api/v1/payments',
    operationId: 'seed002CreatePayment',
    tags: ['Payments API (/api/v1)'],
    security: seedSecurity,
    summary: 'Create a UPI payment (authorised by the worker, then captured by you)',
    request: jsonBody(
      z.object({
        amount: z.number().int(),
        currency: z.string(),
        method: z.enum(['upi', 'card']),
        order_id: z.string(),
        vpa: z.string().optional(),
      }),
    ),
    responses: { 201: json(seedPayment, 'Created, pending'), ...errors(400, 409) },
  });
  r.registerPath({
    method: 'get',
    path: '/api/v1/payments/{id}',
    operationId: 'seed002GetPayment',
    tags: ['Payments API (/api/v1)'],
    security: seedSecurity,
    summary: 'A payment',
    request: { params: idParam },
    responses: { 200: json(seedPayment, 'The payment'), ...errors(404) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/v1/payments/{id}/capture',
    operationId: 'seed002CapturePayment',
    tags: ['Payments API (/api/v1)'],
    security: seedSecurity,
    summary: 'Capture an authorised payment',
    request: { params: idParam },
    responses: { 200: json(seedPayment, 'Captured'), ...errors(402, 404, 409) },
  });
  r.registerPath({
    method: 'post',
    path: '/api/v1/payments/{id}/refunds',
    operationId: 'seed002RefundPayment',
    tags: ['Payments API (/api/v1)'],
    security: seedSecurity,
    summary: 'Refund a captured payment, in full or in part',
    request: {
      params: idParam,
      ...jsonBody(
        z.object({ amount: z.number().int().optional(), reason: z.string().max(500).optional() }),
      ),
    },
    responses: {
      201: json(
        z.object({
          id: z.string(),
          payment_id: z.string(),
          amount: z.number().int(),
          reason: z.string().nullable(),
          status: z.string(),
          created_at: z.string(),
        }),
        'The refund',
      ),
      ...errors(400, 404, 409),
    },
  });
  r.registerPath({
    method: 'get',
    path: '/api/v1/test/jobs/status',
    operationId: 'seed002JobStatus',
    tags: ['Payments API (/api/v1)'],
    security: seedSecurity,
    summary: 'The job queue: pending, processing and failed jobs, and whether the worker runs',
    responses: {
      200: json(
        z.object({
          pending: z.number().int(),
          processing: z.number().int(),
          failed: z.number().int(),
          worker_status: z.enum(['running', 'stopped']),
        }),
        'Counts',
      ),
    },
  });
}

const signingHeaders = z.object({
  'webhook-id': z.string().meta({ description: 'The event id: handle each one once.' }),
  'webhook-timestamp': z
    .string()
    .meta({ description: 'Unix seconds when this attempt was signed.' }),
  'webhook-signature': z.string().meta({
    description:
      '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`; two, space-separated, during a secret rotation.',
  }),
});

function describeWebhooks(r: Registry) {
  for (const type of EVENT_TYPES) {
    r.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on_${type.replaceAll('.', '_')}`,
      tags: ['Webhooks'],
      summary: type,
      description: eventSchemas[type].meta()?.description as string,
      request: {
        headers: signingHeaders,
        body: { content: { 'application/json': { schema: eventSchemas[type] } }, required: true },
      },
      responses: {
        200: { description: 'Any 2xx within 15 s acknowledges the event' },
        default: { description: 'Anything else (or no answer) is retried with backoff' },
      },
    });
  }
}

/** The errors middleware answers, shared as response components. */
const MIDDLEWARE_ERRORS = [401, 409, 413, 415, 422, 500] as const;
const errorRef = (status: (typeof MIDDLEWARE_ERRORS)[number]) => ({
  $ref: `#/components/responses/Error${status}`,
});
const WRITE = new Set(['post', 'patch', 'put', 'delete']);

/**
 * Adds to every operation what the middleware in front of it can answer, so routes list
 * only their own errors: 401 where a key is required, 413 and 415 where a body is read,
 * the Idempotency-Key (header, replay header, 409, 422) on the API's POSTs, 500 everywhere.
 */
function addMiddlewareResponses(doc: Json) {
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const responses = op.responses;
      const add = (status: (typeof MIDDLEWARE_ERRORS)[number], extra?: string) => {
        if (!responses[status]) responses[status] = errorRef(status);
        else if (extra) responses[status].description += `; ${extra}`;
      };
      const api = path.startsWith('/v1/') || path.startsWith('/api/');
      // Public operations say so: an empty requirement list.
      op.security ??= [];
      const keyed = op.security.some((s: object) => Object.keys(s).length > 0);
      if (keyed) add(401);
      if (api && WRITE.has(method) && method !== 'delete') {
        add(413);
        if (!path.startsWith('/v1/processor_webhooks/')) add(415);
      }
      if (method === 'post' && path.startsWith('/v1/') && keyed) {
        op.parameters = [
          ...(op.parameters ?? []).filter((p: Json) => p.name !== 'idempotency-key'),
          { $ref: '#/components/parameters/IdempotencyKey' },
        ];
        add(409, 'or this Idempotency-Key is held by a request still running (`Retry-After`)');
        add(422);
        for (const [status, res] of Object.entries<Json>(responses)) {
          if (status.startsWith('2')) {
            res.headers = {
              ...res.headers,
              'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' },
            };
          }
        }
      }
      for (const status of ['409', '429'] as const) {
        if (responses[status] && !responses[status].$ref) {
          responses[status].headers = {
            'Retry-After': { $ref: '#/components/headers/RetryAfter' },
          };
        }
      }
      add(500);
      op.description ??= DESCRIPTIONS[op.operationId];
    }
  }
}

function registerComponents(r: Registry) {
  r.registerComponent('securitySchemes', 'secretKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Your secret key, `sk_test_…` or `sk_live_…`. Server side only.',
  });
  r.registerComponent('securitySchemes', 'publishableKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Your publishable key, `pk_test_…` or `pk_live_…`. Safe in a browser.',
  });
  r.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'KASSA_METRICS_TOKEN, for Prometheus scraping the gateway’s own port.',
  });
  r.registerComponent('securitySchemes', 'seedApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: '/api/v1: your publishable key.',
  });
  r.registerComponent('securitySchemes', 'seedApiSecret', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Secret',
    description: '/api/v1: your secret key.',
  });
  r.registerComponent('parameters', 'IdempotencyKey', {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Up to 255 characters, unique per operation (a UUID, or your order id and the action). Retries with the same key and body are answered once.',
    schema: { type: 'string', maxLength: 255 },
  });
  r.registerComponent('headers', 'IdempotentReplayed', {
    description: '`true` when this is the stored answer to an earlier request with the same key.',
    schema: { type: 'string', enum: ['true'] },
  });
  r.registerComponent('headers', 'RetryAfter', {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer' },
  });
  for (const status of MIDDLEWARE_ERRORS) {
    const description = ERROR_STATUSES[status];
    r.registerComponent('responses', `Error${status}`, {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  }
}

/** Registers what the routes do not say themselves; call once, after every route. */
export function describeApi(app: OpenAPIHono<AppEnv>) {
  registerComponents(app.openAPIRegistry);
  describePlainRoutes(app.openAPIRegistry);
  describeWebhooks(app.openAPIRegistry);
}

/** The OpenAPI 3.1 document of everything the gateway answers. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, publicUrl: string): Json {
  const doc: Json = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Kassa API',
      version: '1.0.0',
      description: DESCRIPTION,
      contact: { name: 'Kassa', url: publicUrl },
    },
    servers: [{ url: publicUrl, description: 'This gateway' }],
    tags: TAGS,
  });
  addMiddlewareResponses(doc);
  // Webhooks are authenticated by their signature headers, not by a scheme.
  for (const item of Object.values<Json>(doc.webhooks ?? {})) item.post.security = [];
  return doc;
}
