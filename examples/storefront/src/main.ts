// The example storefront: `npm start` runs it beside the gateway. It registers its own
// webhook endpoint with the gateway (or finds the one it registered before).
import { serve } from '@hono/node-server';
import { Kassa } from '@kassa/node';
import { openShopDb } from './db/db.ts';
import { createShop } from './shop.ts';

const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`storefront: set ${name}`);
  return v;
};

// The API from this server, and where browsers load checkout.js from.
const apiUrl = env('KASSA_URL', 'http://127.0.0.1:8000');
const gatewayUrl = env('KASSA_PUBLIC_URL', 'http://localhost:8000');
const port = Number(env('SHOP_PORT', '3000'));
// The gateway calls this one; 127.0.0.1 rather than localhost, which may resolve to ::1.
const publicUrl = env('SHOP_PUBLIC_URL', `http://127.0.0.1:${port}`);
const kassa = new Kassa(env('KASSA_SECRET_KEY'), { baseUrl: apiUrl });
const db = openShopDb(env('SHOP_DATABASE', './data/shop.db'));

const hookUrl = `${publicUrl}/webhooks/kassa`;
// The shop follows payments and refunds (a dashboard refund updates its order).
const EVENTS = ['payment_intent.*', 'refund.*'];
const existing = (await kassa.webhookEndpoints.list()).data.find(
  (e) => e.url === hookUrl && e.status === 'enabled',
);
// An endpoint an earlier version made for payments only is brought up to date.
if (existing && EVENTS.some((e) => !existing.enabled_events.includes(e))) {
  await kassa.webhookEndpoints.update(existing.id, { enabled_events: EVENTS });
}
const secret = existing
  ? (await kassa.webhookEndpoints.revealSecret(existing.id)).secret
  : (
      await kassa.webhookEndpoints.create({
        url: hookUrl,
        enabled_events: EVENTS,
        description: 'Example storefront',
      })
    ).secret;

const app = createShop({ db, kassa, gatewayUrl, webhookSecret: () => secret });
const server = serve({ fetch: app.fetch, port, hostname: env('SHOP_HOST', '127.0.0.1') }, () => {
  process.stdout.write(
    `Storefront listening on http://localhost:${port} (webhooks at ${hookUrl})\n`,
  );
});
server.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(
    err.code === 'EADDRINUSE'
      ? `storefront: port ${port} is in use (another shop, or another program, is listening there). Stop it, or start with SHOP_PORT=<another port>.\n`
      : `storefront: cannot listen on port ${port}: ${err.message}\n`,
  );
  process.exit(1);
});
