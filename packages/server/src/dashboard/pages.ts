import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** The dashboard's built files (packages/dashboard), read once. */
function load() {
  let dir: string | null = null;
  try {
    dir = dirname(fileURLToPath(import.meta.resolve('@kassa/dashboard/dist')));
  } catch {
    dir = null;
  }
  const page =
    dir && existsSync(join(dir, 'index.html')) ? readFileSync(join(dir, 'index.html')) : null;
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const assets = dir && join(dir, 'assets');
  if (assets && existsSync(assets)) {
    for (const f of readdirSync(assets))
      files.set(f, new Uint8Array(readFileSync(join(assets, f))));
  }
  return { page: page && new Uint8Array(page), files };
}

/**
 * `/dashboard` and its client-side routes: one page on the gateway's own origin, under a
 * strict CSP (its own scripts and calls only, never framed).
 */
export function dashboardPages() {
  const built = load();
  const app = new Hono<AppEnv>();
  app.get('/assets/:file', (c) => {
    const file = c.req.param('file');
    const body = built.files.get(file);
    if (!body) return c.notFound();
    return new Response(body, {
      headers: {
        'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    });
  });
  const page = () => {
    if (!built.page) {
      return new Response('The dashboard is not built. Run `pnpm build` (npm start does it).', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    return new Response(built.page, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': [
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self' data:",
          "connect-src 'self'",
          "form-action 'self'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
        'referrer-policy': 'same-origin',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      },
    });
  };
  app.get('/', page);
  app.get('/payments', page);
  app.get('/payments/:id', page);
  app.get('/webhooks', page);
  app.get('/developers', page);
  return app;
}
