import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';

/** The one thing Redoc's bundle fetches from elsewhere: its footer logo, from a CDN. */
const REDOC_CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

/** Redoc's self-contained browser bundle, read and compressed on first use; null if
 * missing. Its footer logo points at nothing (`data:,`, which Redoc hides when it does
 * not load): the reference loads nothing from outside, and the page's CSP has no block
 * to report. */
function loadRedoc() {
  try {
    const file = fileURLToPath(import.meta.resolve('redoc/bundles/redoc.standalone.js'));
    const raw = Buffer.from(readFileSync(file, 'utf8').replaceAll(REDOC_CDN_LOGO, 'data:,'));
    return { raw: new Uint8Array(raw), gzip: new Uint8Array(gzipSync(raw, { level: 9 })) };
  } catch {
    return null;
  }
}

/** Only this gateway's own script and document; Redoc's styles are inline, its search a
 * blob worker. Never framed. */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Kassa API reference</title>
<style>body{margin:0}</style>
</head>
<body>
<redoc spec-url="/openapi.json" expand-responses="200,201" path-in-middle-panel
  required-props-first sort-tags-alphabetically="false" hide-hostname="false"></redoc>
<noscript>This reference needs JavaScript. The document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script src="/docs/redoc.standalone.js"></script>
</body>
</html>`;

/**
 * `/docs`: the API reference, rendered in the browser by Redoc from `/openapi.json`.
 * Redoc's bundle is served by the gateway itself (no CDN): the reference works offline.
 */
export function docsRoutes() {
  let redoc: ReturnType<typeof loadRedoc> | undefined;
  const app = new Hono<AppEnv>();
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', CSP);
    c.header('X-Frame-Options', 'DENY');
    return c.html(PAGE);
  });
  app.get('/docs/redoc.standalone.js', (c) => {
    if (redoc === undefined) redoc = loadRedoc();
    if (!redoc) return c.text('Redoc is not installed: run `pnpm install`.', 503);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    return c.body(gzip ? redoc.gzip : redoc.raw, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
      vary: 'Accept-Encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
  });
  return app;
}
