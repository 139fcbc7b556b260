import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';

/** Kassa's mark: a rounded square with a K, in the payment page's accent. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f766e"/><path d="M10 8v16M10 16l10-8M12.5 14l8 10" stroke="#fff" stroke-width="3.2" stroke-linecap="round" fill="none"/></svg>`;

const IMMUTABLE = 'public, max-age=31536000, immutable';

function distOf(specifier: string): string | null {
  try {
    return dirname(fileURLToPath(import.meta.resolve(specifier)));
  } catch {
    return null;
  }
}

/** The built browser files, read once. Missing builds answer 503 with what to run. */
function loadAssets() {
  const checkoutDir = distOf('@kassa/checkout/dist');
  const pageDir = distOf('@kassa/hosted-page/dist');
  const read = (p: string | null) => (p && existsSync(p) ? new Uint8Array(readFileSync(p)) : null);
  const checkout = read(checkoutDir && join(checkoutDir, 'checkout.js'));
  // What checkout.js fetches when a modal opens: its stylesheet, and the words of a
  // language beyond English when the payment asks for one.
  const checkoutFiles = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const f of ['checkout.css', 'hi.json']) {
    const body = read(checkoutDir && join(checkoutDir, f));
    if (body) checkoutFiles.set(f, body);
  }
  const version = checkoutDir
    ? (JSON.parse(readFileSync(join(checkoutDir, '..', 'package.json'), 'utf8')).version as string)
    : '0';
  const page = read(pageDir && join(pageDir, 'index.html'));
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const assetsDir = pageDir && join(pageDir, 'assets');
  if (assetsDir && existsSync(assetsDir)) {
    for (const f of readdirSync(assetsDir))
      files.set(f, new Uint8Array(readFileSync(join(assetsDir, f))));
  }
  return { checkout, checkoutFiles, version, page, files };
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
};

/**
 * checkout.js (at /checkout.js, and at a versioned path cached for a year) and the
 * hosted page at /pay/:id, framed only by the merchant's allowed origins.
 */
export function assetRoutes(deps: Deps) {
  const assets = loadAssets();
  const app = new Hono<AppEnv>();
  const notBuilt = (what: string) =>
    new Response(`${what} is not built. Run \`pnpm build\` (npm start does it for you).`, {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });

  const checkout = (cache: string) => () => {
    if (!assets.checkout) return notBuilt('checkout.js');
    return new Response(assets.checkout, {
      headers: {
        'content-type': TYPES.js as string,
        'cache-control': cache,
        'access-control-allow-origin': '*',
        'x-content-type-options': 'nosniff',
      },
    });
  };
  app.get('/checkout.js', checkout('public, max-age=300'));
  // What browsers ask for on every page of the gateway (payment page, dashboard, docs).
  app.get(
    '/favicon.ico',
    () =>
      new Response(FAVICON, {
        headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' },
      }),
  );
  app.get(`/checkout/${assets.version}/checkout.js`, checkout(IMMUTABLE));
  // Versioned with the script that asks for them: kept a year when the version is this
  // gateway's, five minutes when a page still runs an older checkout.js.
  app.get('/checkout/:version/:file', (c) => {
    const file = c.req.param('file');
    const body = assets.checkoutFiles.get(file);
    if (!body) return c.notFound();
    return new Response(body, {
      headers: {
        'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
        'cache-control':
          c.req.param('version') === assets.version ? IMMUTABLE : 'public, max-age=300',
        'access-control-allow-origin': '*',
        'x-content-type-options': 'nosniff',
      },
    });
  });

  app.get('/pay/assets/:file', (c) => {
    const file = c.req.param('file');
    const body = assets.files.get(file);
    if (!body) return c.notFound();
    return new Response(body, {
      headers: {
        'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
        'cache-control': IMMUTABLE,
        'x-content-type-options': 'nosniff',
      },
    });
  });

  app.get('/pay/:id', async (c) => {
    if (!assets.page) return notBuilt('The hosted page');
    // Who may frame this page: the intent's merchant's allowed origins, no one else.
    const { origins, intent } = await deps.store.read(async (tx) => {
      const intent = await tx.intents.get(c.req.param('id'));
      const merchant = intent ? await tx.merchants.get(intent.merchantId) : null;
      return { origins: merchant?.allowedOrigins ?? [], intent };
    });
    // A processor's own fields (Stripe's) add exactly the sources that processor
    // documents, and only on its payments' pages.
    const extra = {
      script: new Set<string>(),
      frame: new Set<string>(),
      connect: new Set<string>(),
    };
    if (intent) {
      const fields = await deps.routing.processorFields(
        intent.merchantId,
        intent.livemode,
        intent.paymentMethodTypes,
      );
      for (const id of new Set(Object.values(fields))) {
        const sources = deps.processors[id]?.capabilities.pageSources;
        for (const kind of ['script', 'frame', 'connect'] as const) {
          for (const src of sources?.[kind] ?? []) extra[kind].add(src);
        }
      }
    }
    const withExtra = (kind: keyof typeof extra) => ["'self'", ...extra[kind]].join(' ');
    const csp = [
      "default-src 'none'",
      `script-src ${withExtra('script')}`,
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src ${withExtra('connect')}`,
      `frame-src ${withExtra('frame')}`,
      "form-action 'self'",
      "base-uri 'none'",
      `frame-ancestors ${origins.length ? origins.join(' ') : "'none'"}`,
    ].join('; ');
    return new Response(assets.page, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': csp,
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  });
  return app;
}
