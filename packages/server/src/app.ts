import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { assetRoutes } from './assets/assets.ts';
import { seed002Routes } from './compat/seed-002.ts';
import { dashboardDocument } from './dashboard/document.ts';
import { dashboardPages } from './dashboard/pages.ts';
import { asPlainRoutes, dashboardApi, SESSION_IDLE_MS } from './dashboard/routes.ts';
import type { Deps } from './deps.ts';
import { docsRoutes } from './docs/docs-page.ts';
import { describeApi, openApiDocument } from './docs/openapi.ts';
import { eventRoutes } from './events/routes.ts';
import { apiKeyAuth } from './http/auth.ts';
import { cleanUrl } from './http/clean-url.ts';
import type { AppEnv } from './http/env.ts';
import { idempotency } from './http/idempotency.ts';
import { requireJson } from './http/json-body.ts';
import { unmatchedRoute } from './http/not-found.ts';
import { onError } from './http/on-error.ts';
import { readBody } from './http/read-body.ts';
import { requestLog } from './http/request-log.ts';
import { zodHook } from './http/zod-hook.ts';
import { clientRoutes } from './intents/client-routes.ts';
import { createConfirmService, RECOVER_ATTEMPT_JOB } from './intents/confirm.ts';
import { createHoldOperations, HOLD_OPERATION_JOB } from './intents/hold-operations.ts';
import { createLifecycle } from './intents/lifecycle.ts';
import { POLL_ATTEMPT_JOB, RETURN_PAYMENT_JOB } from './intents/outcome.ts';
import { processorNotificationRoutes } from './intents/processor-notifications.ts';
import { processorPages } from './intents/processor-pages.ts';
import { paymentIntentRoutes } from './intents/routes.ts';
import { CONFIRM_JOB, createIntentService } from './intents/service.ts';
import { CLOSE_SESSION_JOB } from './intents/transition.ts';
import { createMetrics } from './metrics/metrics.ts';
import { metricsRoutes, requestMetrics } from './metrics/routes.ts';
import { DELIVER_JOB } from './outbox/fan-out.ts';
import type { Parts } from './parts.ts';
import { createAccounts } from './processors/accounts.ts';
import { createRouting } from './processors/routing.ts';
import { dailyReconciliation } from './reconciliation/daily.ts';
import { reconciliationRoutes } from './reconciliation/routes.ts';
import { createRefunds, REFUND_JOB } from './refunds/refunds.ts';
import { refundRoutes } from './refunds/routes.ts';
import type { Store } from './store/types.ts';
import { createDeliverer } from './webhooks/deliver.ts';
import { webhookDeliveryRoutes, webhookEndpointRoutes } from './webhooks/routes.ts';
import { handle } from './worker/enqueue.ts';
import { jobRoutes } from './worker/routes.ts';
import { createWorker } from './worker/worker.ts';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Builds the gateway from its parts: the HTTP app and the worker that runs its
 * background jobs. Tests build it on an in-memory store and call `app.request()`.
 *
 * @example
 * const { app, worker } = createGateway({ store, processors, clock, config, logger });
 * serve({ fetch: app.fetch, port: 8000 });
 * worker.start(250);
 */
export function createGateway(given: Parts) {
  const deps = createDeps(given);
  const { store, clock, logger, metrics } = deps;
  // The service graph, each service built once and handed to those that use it.
  const holds = createHoldOperations(deps);
  const lifecycle = createLifecycle(deps, holds);
  const intents = createIntentService(deps, holds);
  const confirms = createConfirmService(deps, lifecycle);
  const refunds = createRefunds(deps);

  const app = new OpenAPIHono<AppEnv>({ defaultHook: zodHook });
  app.onError(onError);
  app.notFound(unmatchedRoute(() => app.routes));
  app.use('*', requestLog(logger));
  app.use('*', cleanUrl);
  const https = deps.config.publicUrl.startsWith('https:');
  app.use('*', async (c, next) => {
    // Set before the answer exists (a route's own Cache-Control replaces this one): set
    // after it, headers make the adapter build a full web Response for every answer.
    // Never let a browser guess a type; once served over https, always https.
    c.header('X-Content-Type-Options', 'nosniff');
    if (https) c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    // API answers carry secrets (a rolled key, an endpoint's signing secret, a client
    // secret) and shoppers' data: no browser or proxy keeps a copy.
    const path = c.req.path;
    if (path.startsWith('/v1/') || path.startsWith('/api/') || path.startsWith('/dashboard/api/')) {
      c.header('Cache-Control', 'no-store');
    }
    await next();
  });

  app.use('*', requestMetrics(metrics));
  app.route('/', metricsRoutes(metrics, deps.config.metricsToken));

  app.get('/healthz', async (c) => {
    await store.read((tx) => tx.settings.get('healthz'));
    return c.json({ status: 'ok' });
  });

  // Bodies are read once, up to the limit, before authentication and validation.
  const body = readBody(MAX_BODY_BYTES);
  app.use('/v1/*', body);
  app.use('/api/*', body);
  app.use('/api/*', requireJson);
  // Every route that reads a body has the one limit: forms on processor pages too.
  app.use('/processors/*', body);

  const idem = idempotency(store, clock, deps.config.idempotencyLeaseMs);
  const merchantApi = [apiKeyAuth(store, 'secret', { now: clock.now }), idem] as const;
  const mount = (path: string, sub: OpenAPIHono<AppEnv>) => {
    // In Hono `/x/*` matches `/x` as well: one registration covers the collection too.
    app.use(`${path}/*`, requireJson, ...merchantApi);
    app.route(path, sub);
  };
  mount('/v1/payment_intents', paymentIntentRoutes(deps, intents));
  mount('/v1/webhook_endpoints', webhookEndpointRoutes(deps));
  mount('/v1/webhook_deliveries', webhookDeliveryRoutes(deps));
  mount('/v1/events', eventRoutes(deps));
  mount('/v1/refunds', refundRoutes(refunds));
  mount('/v1/jobs', jobRoutes(deps));
  mount('/v1/reconciliation_runs', reconciliationRoutes(deps));
  // Seed 002's API, for integrations written against it.
  app.route('/api/v1', seed002Routes(deps, intents, refunds));

  // Processors authenticate themselves with signatures, not API keys.
  app.route('/v1/processor_webhooks', processorNotificationRoutes(deps));

  app.use(
    '/v1/client/*',
    cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'] }),
    requireJson,
    apiKeyAuth(store, 'publishable', { optional: true, demo: deps.config.demo, now: clock.now }),
  );
  app.use('/v1/client/*', async (c, next) => {
    // Idempotency is scoped per merchant: it applies when a publishable key says whose.
    if (c.get('merchant')) return idem(c, next);
    return next();
  });
  app.route('/v1/client', clientRoutes(deps, confirms));

  app.route('/processors', processorPages(deps, confirms));

  // The merchant dashboard: its JSON API (a session cookie, not API keys) and its pages.
  app.use('/dashboard/api/*', body);
  const dashboard = dashboardApi(deps, { intents, refunds });
  app.route('/', asPlainRoutes(dashboard));
  app.route('/dashboard', dashboardPages());
  app.route('/', assetRoutes(deps));

  describeApi(app);
  let document: ReturnType<typeof openApiDocument> | undefined;
  const spec = () => {
    document ??= openApiDocument(app, deps.config.publicUrl);
    return document;
  };
  app.get('/openapi.json', (c) => c.json(spec()));
  let dashboardDoc: ReturnType<typeof dashboardDocument> | undefined;
  /** The dashboard API's own document (not public: it changes with the dashboard). */
  const dashboardSpec = () => {
    dashboardDoc ??= dashboardDocument(dashboard, deps.config.publicUrl);
    return dashboardDoc;
  };
  app.route('/', docsRoutes());

  const worker = createWorker(
    deps,
    Object.fromEntries([
      handle(POLL_ATTEMPT_JOB, (p) => lifecycle.pollAttempt(p.attempt)),
      handle(RECOVER_ATTEMPT_JOB, (p) => lifecycle.recoverAttempt(p.attempt)),
      handle(CLOSE_SESSION_JOB, (p) => lifecycle.closeSession(p.attempt, p.withdraw)),
      handle(RETURN_PAYMENT_JOB, (p) => lifecycle.returnPayment(p.attempt)),
      handle(DELIVER_JOB, createDeliverer(deps)),
      handle(HOLD_OPERATION_JOB, (p, job) => holds.recover(p, job)),
      handle(REFUND_JOB, (p, job) => refunds.process(p.refund, job)),
      handle(CONFIRM_JOB, async (p) => {
        const intent = await store.read((tx) => tx.intents.get(p.intent));
        if (intent) {
          await confirms.confirm(intent, { payment_method: p.payment_method }, { queued: true });
        }
      }),
    ]),
    [
      () => lifecycle.expireDue(),
      () => lifecycle.recoverStale(),
      () => lifecycle.cancelStaleAuthorizations(),
      dailyReconciliation(deps),
      () => foldOverviewStats(store),
      () => store.transaction((tx) => tx.idempotency.purge(clock.now())),
      () => store.transaction((tx) => tx.rateLimits.purge(clock.now() - 120_000)),
      () =>
        store.transaction((tx) =>
          tx.sessions.delete({
            now: clock.now(),
            idleSince: clock.now() - SESSION_IDLE_MS,
          }),
        ),
    ],
    {
      concurrency: deps.config.workerConcurrency,
      lockMs: deps.config.jobLockMs,
      intervalMs: deps.config.workerIntervalMs,
      keyLimit: deps.config.webhooks.concurrencyPerEndpoint,
      groupLimit: deps.config.webhooks.concurrencyPerMerchant,
    },
  );

  return {
    app,
    worker,
    spec,
    dashboardSpec,
    metrics,
    /** The store every service uses: timed, counting after commits. */
    store,
    services: { intents, confirms, lifecycle, refunds },
  };
}

/**
 * The collaborators every service shares, built once from the parts: the store timed and
 * counted into the metrics, merchants' sealed accounts, and the routing of payments.
 */
export function createDeps(given: Parts): Deps {
  const metrics = given.metrics ?? createMetrics();
  const store = metrics.instrument(given.store);
  const accounts = createAccounts({ store, config: given.config, clock: given.clock });
  const routing = createRouting({ processors: given.processors, store, accounts });
  return { ...given, metrics, store, accounts, routing };
}

const FOLD_BATCH = 10_000;

/** Folds the overview's changes into its hourly rows, a batch per transaction, until a
 * batch is not full (at most 50 batches a poll, so other chores get their turn). */
export async function foldOverviewStats(store: Store) {
  for (let i = 0; i < 50; i++) {
    if ((await store.transaction((tx) => tx.overview.fold(FOLD_BATCH))) < FOLD_BATCH) return;
  }
}

/** The HTTP app alone; see `createGateway` for the worker. */
export function createApp(parts: Parts) {
  return createGateway(parts).app;
}
