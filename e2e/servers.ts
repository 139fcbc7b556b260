// The e2e world in one process: the Kassa gateway and a merchant test site on another
// origin, both on free ports of 127.0.0.1. Prints one JSON line with their URLs, then
// runs until killed (by pid, from global-setup.ts).
import { mkdtempSync } from 'node:fs';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { createShop, openShopDb } from '@kassa/example-storefront';
import { Kassa, verifyPaymentSignature } from '@kassa/node';
import { FAKE_RAZORPAY_CHECKOUT_JS, startFakeRazorpay } from '@kassa/processors/fake-razorpay';
import { FAKE_STRIPE_JS, startFakeStripe } from '@kassa/processors/fake-stripe';
import {
  createAccounts,
  createDashboardUser,
  createGateway,
  createLogger,
  createMerchant,
  createPgStore,
  createSqliteStore,
  defaultProcessors,
  dropPgSchema,
  loadConfig,
  systemClock,
} from '@kassa/server';
import { spawnGateway, spawnWorker } from '@kassa/server/testing/spawn';
import { Hono } from 'hono';
import { merchantPage } from './merchant/page.ts';

async function listen() {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

// Ports first, so that the gateway knows its public URL and the merchant its origin.
const gatewayHttp = await listen();
const merchantHttp = await listen();
const shopHttp = await listen();
const shopUrl = `http://127.0.0.1:${shopHttp.port}`;
const gatewayUrl = `http://127.0.0.1:${gatewayHttp.port}`;
const merchantUrl = `http://127.0.0.1:${merchantHttp.port}`;
// The same server under another name is another origin: a page that is not allowed.
const otherUrl = `http://localhost:${merchantHttp.port}`;

const config = {
  ...loadConfig({
    KASSA_DATABASE_URL: ':memory:',
    KASSA_LOG_LEVEL: process.env.KASSA_LOG_LEVEL ?? 'warn',
    // Every spec signs in from 127.0.0.1; the limit itself is a unit test's.
    KASSA_DASHBOARD_LOGINS_PER_MINUTE: '500',
    // The shop's webhook receiver is on loopback.
    KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
    KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: '1',
  }),
  publicUrl: gatewayUrl,
  confirmsPerMinutePerClient: 10_000,
  encryptionKey: Buffer.alloc(32, 9),
};
// Stripe, faked on loopback: the adapter reaches it through the stripe package's options.
const fakeStripe = await startFakeStripe();
// Razorpay too: the adapter's API base is the fake's.
const fakeRazorpay = await startFakeRazorpay();
config.sandbox.asyncDelayMs = 1500;
// Fast retries, so "the shop's webhook endpoint was down" settles within a test.
config.webhooks.retrySchedule = [0, 1, 2, 3, 5, 8];
const logger = createLogger({ level: config.logLevel });
// The gateway's own registry; Stripe at the fake, and the test books in memory.
const processors = defaultProcessors(config, {
  stripe: { api: fakeStripe.api },
  razorpay: { api: fakeRazorpay.url },
  sandbox: { ledgerFile: undefined },
  redirect: { ledgerFile: undefined },
});
// Everything the gateway was sent, to show that card numbers typed into Stripe's fields
// never reach it.
const gatewaySaw: string[] = [];
/** Collects a request's body and notes the request in `gatewaySaw`. */
const recorded = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      gatewaySaw.push(`${req.method} ${req.url} ${body}`);
      resolve(body);
    });
  });

// KASSA_E2E_DATABASE_URL=postgres://… runs the same specs against Kassa as it is deployed
// to scale: `kassa start --processes 2` and a separate `kassa worker`, on a fresh schema,
// behind a recording pass-through on the gateway's public port. Without it, the gateway
// runs in this process on a SQLite file.
const pgUrl = process.env.KASSA_E2E_DATABASE_URL;
const store = pgUrl ? await startProcesses(pgUrl) : startInProcess();

async function startProcesses(url: string) {
  const schema = `e2e_${process.pid}`;
  await dropPgSchema(schema, url);
  const store = await createPgStore({ url, schema, poolSize: 2 });
  const env = {
    KASSA_DATABASE_URL: url,
    KASSA_DATABASE_SCHEMA: schema,
    KASSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'kassa-e2e-')),
    KASSA_PUBLIC_URL: gatewayUrl,
    KASSA_DEMO: '0',
    KASSA_RUN_WORKER: '0',
    KASSA_LOG_LEVEL: config.logLevel,
    KASSA_CONFIRMS_PER_MINUTE: String(config.confirmsPerMinutePerClient),
    KASSA_ENCRYPTION_KEY: (config.encryptionKey as Buffer).toString('hex'),
    KASSA_SANDBOX_ASYNC_DELAY_MS: String(config.sandbox.asyncDelayMs),
    KASSA_SANDBOX_NOTIFICATION_SECRET: config.sandbox.notificationSecret,
    KASSA_REDIRECT_SECRET: config.redirectSecret,
    KASSA_WEBHOOK_RETRY_SCHEDULE: config.webhooks.retrySchedule.join(','),
    KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
    KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: '1',
    KASSA_DASHBOARD_LOGINS_PER_MINUTE: '500',
    KASSA_STRIPE_API_URL: fakeStripe.url,
    KASSA_RAZORPAY_API_URL: fakeRazorpay.url,
  };
  const gateway = await spawnGateway(env, { args: ['--processes', '2'] });
  const worker = spawnWorker(env);
  // What the processes print goes to this one's stderr, so that a failing spec shows it.
  for (const child of [gateway.child, worker.child]) {
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
  }
  const upstream = new URL(gateway.url);
  // Kept-alive connections, as a load balancer keeps them: with a connection per request,
  // each would be handed to a gateway process by the cluster's primary first. Idle ones
  // are dropped before the gateway's own 5 s keep-alive timeout would close them.
  const agent = new Agent({ keepAlive: true, timeout: 3_000 });
  gatewayHttp.server.on('request', (req, res) => {
    void recorded(req).then((body) => {
      const forward = (retry: boolean) => {
        const up = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        up.on('error', (err) => {
          if (gone) return; // the page went away first
          // A kept-alive connection the gateway closed just as it was reused: once more.
          if (retry && up.reusedSocket && !res.headersSent) return forward(false);
          process.stderr.write(`e2e pass-through: ${req.method} ${req.url}: ${err.message}\n`);
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        // A page that goes away (an SSE stream closed) goes away upstream too.
        let gone = false;
        res.on('close', () => {
          gone = !res.writableFinished;
          if (gone) up.destroy();
        });
        up.end(body);
      };
      forward(true);
    });
  });
  process.once('SIGTERM', () => {
    const stopped = Promise.all([gateway.stop(), worker.stop()]);
    const deadline = new Promise((r) => setTimeout(r, 5_000));
    void Promise.race([stopped, deadline])
      .then(() => Promise.all([gateway.stop('SIGKILL'), worker.stop('SIGKILL')]))
      .then(() => store.close())
      .then(() => dropPgSchema(schema, url))
      .finally(() => process.exit(0));
  });
  return store;
}

function startInProcess() {
  const store = createSqliteStore({
    filename: join(mkdtempSync(join(tmpdir(), 'kassa-e2e-')), 'kassa.db'),
  });
  const { app, worker } = createGateway({ store, processors, clock: systemClock, config, logger });
  const listener = getRequestListener(app.fetch);
  gatewayHttp.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void recorded(req);
    listener(req, res);
  });
  worker.start();
  return store;
}

// Chai & Co turned UPI collect on (its category is exempt): its page offers a UPI ID field.
const { merchant, keys } = await createMerchant(store, systemClock, {
  name: 'Chai & Co',
  origins: [merchantUrl],
  upiCollect: true,
});
const key = keys[0] as { publishable: string; secret: string };
const kassa = new Kassa(key.secret, { baseUrl: gatewayUrl });

// A merchant who connected a Stripe account (test mode): its cards go to Stripe.
const stripeMerchant = await createMerchant(store, systemClock, {
  name: 'Chai & Co (Stripe)',
  origins: [merchantUrl],
  live: true,
});
const stripeAccounts = createAccounts({ store, config, clock: systemClock });
// Live mode too: the same fake stands in for Stripe; the keys are live-shaped.
await stripeAccounts.save(processors.stripe, stripeMerchant.merchant.id, true, {
  secret_key: 'sk_live_e2e',
  publishable_key: 'pk_live_e2e',
  webhook_secret: 'whsec_e2eLive',
});
const stripeAccount = await stripeAccounts.save(
  processors.stripe,
  stripeMerchant.merchant.id,
  false,
  { secret_key: 'sk_test_e2e', publishable_key: 'pk_test_e2e', webhook_secret: 'whsec_e2e' },
);
fakeStripe.sendWebhooksTo(
  `${gatewayUrl}/v1/processor_webhooks/stripe/${stripeAccount.id}`,
  'whsec_e2e',
);
const stripeKassa = new Kassa(
  (stripeMerchant.keys.find((k) => !k.livemode) as { secret: string }).secret,
  { baseUrl: gatewayUrl },
);
const stripeLiveKassa = new Kassa(
  (stripeMerchant.keys.find((k) => k.livemode) as { secret: string }).secret,
  { baseUrl: gatewayUrl },
);

// A merchant who connected a Razorpay account (test mode): its cards go to Razorpay's
// Checkout and its UPI to Razorpay; it has not turned UPI collect on (NPCI's default).
const razorpayMerchant = await createMerchant(store, systemClock, {
  name: 'Chai & Co (Razorpay)',
  origins: [merchantUrl],
});
fakeRazorpay.addAccount('rzp_test_e2e', 'e2eRazorpaySecret1');
const razorpayAccount = await stripeAccounts.save(
  processors.razorpay,
  razorpayMerchant.merchant.id,
  false,
  { key_id: 'rzp_test_e2e', key_secret: 'e2eRazorpaySecret1', webhook_secret: 'e2eRazorpayHook1' },
);
fakeRazorpay.sendWebhooksTo(
  `${gatewayUrl}/v1/processor_webhooks/razorpay/${razorpayAccount.id}`,
  'e2eRazorpayHook1',
);
const razorpayKassa = new Kassa((razorpayMerchant.keys[0] as { secret: string }).secret, {
  baseUrl: gatewayUrl,
});

let orders = 0;
const shop = new Hono();
shop.get('/', (c) => c.html(merchantPage({ gatewayUrl, publishableKey: key.publishable })));
shop.get('/health', (c) => c.text('ok'));
shop.post('/api/intents', async (c) => {
  const body = (await c.req.json()) as Record<string, unknown>;
  const order_id = String(body.order_id ?? `ORDER_${Date.now()}_${++orders}`);
  const intent = await kassa.paymentIntents.create(
    { amount: 2500, currency: 'INR', description: 'Masala chai x 5', ...body, order_id },
    { idempotencyKey: order_id },
  );
  return c.json({ id: intent.id, client_secret: intent.client_secret, order_id });
});
shop.post('/api/stripe-intents', async (c) => {
  const body = (await c.req.json()) as Record<string, unknown>;
  const { live, ...fields } = body;
  const order_id = String(fields.order_id ?? `STRIPE_${Date.now()}_${++orders}`);
  const intent = await (live ? stripeLiveKassa : stripeKassa).paymentIntents.create(
    { amount: 2500, currency: 'EUR', description: 'Masala chai x 5', ...fields, order_id },
    { idempotencyKey: order_id },
  );
  return c.json({ id: intent.id, client_secret: intent.client_secret, order_id });
});
shop.get('/api/stripe-intents/:id', async (c) =>
  c.json(
    await (c.req.query('live') ? stripeLiveKassa : stripeKassa).paymentIntents.retrieve(
      c.req.param('id'),
    ),
  ),
);
shop.get('/api/stripe-intents/:id/events', async (c) => {
  const list = await stripeKassa.events.list({ object: c.req.param('id') });
  return c.json(list.data.map((e) => e.type));
});
shop.post('/api/stripe-refunds', async (c) => {
  const body = (await c.req.json()) as { payment_intent: string; amount: number };
  return c.json(await stripeKassa.refunds.create(body));
});
// The fake Stripe's switches and books, for the specs (which run in other processes).
shop.post('/fake-stripe/:action', async (c) => {
  const action = c.req.param('action');
  const body = (await c.req.json().catch(() => ({}))) as Record<string, string>;
  if (action === 'hold') fakeStripe.holdWebhooks();
  else if (action === 'release') await fakeStripe.releaseWebhooks();
  else if (action === 'drop') fakeStripe.dropResponseOnce(body.path ?? '');
  else if (action === 'fault') {
    fakeStripe.fault(
      body.path ?? '',
      { kind: 'server_error' },
      { times: Number(body.times ?? 1), ...(body.method && { method: body.method }) },
    );
  } else if (action === 'clear') fakeStripe.clearFaults();
  else return c.json({ error: 'unknown action' }, 400);
  return c.json({ ok: true });
});
shop.get('/fake-stripe/payment_intents/:id', (c) =>
  c.json({
    payment_intent: fakeStripe.paymentIntent(c.req.param('id')) ?? null,
    refunds: fakeStripe.refunds(c.req.param('id')),
  }),
);
shop.post('/api/razorpay-intents', async (c) => {
  const body = (await c.req.json()) as Record<string, unknown>;
  const order_id = String(body.order_id ?? `RZP_${Date.now()}_${++orders}`);
  const intent = await razorpayKassa.paymentIntents.create(
    {
      amount: 49_900,
      currency: 'INR',
      description: 'Masala chai x 50',
      customer: { email: 'asha@example.in', phone: '+919876543210' },
      ...body,
      order_id,
    },
    { idempotencyKey: order_id },
  );
  return c.json({ id: intent.id, client_secret: intent.client_secret, order_id });
});
shop.get('/api/razorpay-intents/:id', async (c) =>
  c.json(await razorpayKassa.paymentIntents.retrieve(c.req.param('id'))),
);
// The shopper's UPI app, for the specs: approves (or declines) the UPI payment waiting
// for a Razorpay order.
shop.post('/fake-razorpay/upi', async (c) => {
  const body = (await c.req.json()) as { link: string; approve?: boolean };
  const waiting = fakeRazorpay
    .payments()
    .find((p) => p.method === 'upi' && p.status === 'created' && body.link.includes(`tr=${p.id}&`));
  if (!waiting) return c.json({ error: 'no UPI payment waiting for that link' }, 404);
  return c.json(fakeRazorpay.approveUpi(waiting.id, body.approve !== false));
});
// What the specs serve in place of https://checkout.razorpay.com/v1/checkout.js.
shop.get('/fake-razorpay-checkout.js', (c) =>
  c.body(FAKE_RAZORPAY_CHECKOUT_JS, 200, { 'content-type': 'application/javascript' }),
);
// What the specs serve in place of https://js.stripe.com/…/stripe.js.
shop.get('/fake-stripe.js', (c) =>
  c.body(FAKE_STRIPE_JS, 200, { 'content-type': 'application/javascript' }),
);
shop.get('/gateway-saw', (c) => {
  const needle = c.req.query('needle') ?? '';
  return c.json({ seen: needle.length > 0 && gatewaySaw.some((line) => line.includes(needle)) });
});
shop.get('/api/intents/:id', async (c) =>
  c.json(await kassa.paymentIntents.retrieve(c.req.param('id'))),
);
// The merchant's view of the gateway's job queue (what is still to run, by kind).
shop.get('/api/jobs', async (c) =>
  c.json(
    await (
      await fetch(`${gatewayUrl}/v1/jobs/stats`, {
        headers: { authorization: `Bearer ${key.secret}` },
      })
    ).json(),
  ),
);
shop.post('/api/verify', async (c) =>
  c.json({ valid: verifyPaymentSignature(await c.req.json(), key.secret) }),
);
// A page on another origin that frames the hosted page directly.
shop.get('/frame', (c) =>
  c.html(
    `<!doctype html><title>not allowed</title><iframe id="f" src="${gatewayUrl}/pay/${c.req.query('id')}#${c.req.query('secret')}" width="400" height="500"></iframe>`,
  ),
);
// A page on another origin that posts a fake result to its parent.
// A merchant webhook receiver the specs can take down and bring back.
let hookUp = false;
shop.post('/hook', (c) => (hookUp ? c.text('ok') : c.text('down', 503)));
shop.post('/hook/mode', async (c) => {
  hookUp = ((await c.req.json()) as { up: boolean }).up;
  return c.json({ up: hookUp });
});
shop.get('/evil', (c) =>
  c.html(
    `<!doctype html><title>evil</title><script>parent.postMessage({source:'kassa',version:1,type:'success',payment_intent_id:'pi_fake',order_id:'x',status:'succeeded',signature:'00'}, '*');parent.postMessage({source:'kassa',version:1,type:'close'}, '*');</script>`,
  ),
);
merchantHttp.server.on('request', getRequestListener(shop.fetch));

// The example storefront, as its own merchant, with test switches for its webhook.
// The example storefront's merchant: like the demo merchant, it offers UPI collect too.
const shopMerchant = await createMerchant(store, systemClock, {
  name: 'Chai & Co Online',
  origins: [shopUrl],
  upiCollect: true,
});
// Its dashboard: an owner and a viewer.
const DASHBOARD_PASSWORD = 'e2e dashboard password';
for (const [email, role] of [
  ['owner@chai.test', 'owner'],
  ['viewer@chai.test', 'viewer'],
  // Only the sign-out-everywhere spec uses it: signing out everywhere would end the
  // sessions of the specs running beside it.
  ['leaving@chai.test', 'owner'],
] as const) {
  await createDashboardUser(store, systemClock, {
    merchantId: shopMerchant.merchant.id,
    email,
    role,
    password: DASHBOARD_PASSWORD,
  });
}
// A new colleague's account, with a generated password (as `kassa users create` prints
// one): for the spec of the first sign-in.
const generated = await createDashboardUser(store, systemClock, {
  merchantId: shopMerchant.merchant.id,
  email: 'new@chai.test',
  role: 'viewer',
});
const shopKassa = new Kassa((shopMerchant.keys[0] as { secret: string }).secret, {
  baseUrl: gatewayUrl,
});
const endpoint = await shopKassa.webhookEndpoints.create({
  url: `${shopUrl}/webhooks/kassa`,
  enabled_events: ['payment_intent.*', 'refund.*'],
});
const storefront = createShop({
  db: openShopDb(join(mkdtempSync(join(tmpdir(), 'kassa-shop-')), 'shop.db')),
  kassa: shopKassa,
  gatewayUrl,
  webhookSecret: () => endpoint.secret,
  intentExpiresIn: 60,
  testControls: true,
});
shopHttp.server.on('request', getRequestListener(storefront.fetch));

process.stdout.write(
  `${JSON.stringify({ fakeStripeUrl: fakeStripe.url, fakeRazorpayUrl: fakeRazorpay.url, gatewayUrl, merchantUrl, otherUrl, shopUrl, shopSecretKey: (shopMerchant.keys[0] as { secret: string }).secret, dashboardPassword: DASHBOARD_PASSWORD, generatedPassword: generated.password, merchantId: merchant.id, publishableKey: key.publishable })}\n`,
);
