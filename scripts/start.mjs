#!/usr/bin/env node
// `npm start`: setup, then the Kassa gateway and the example storefront together.
// The gateway prints its demo keys; the storefront gets them and registers its webhook
// endpoint. Ctrl-C, or SIGINT / SIGTERM to this process's id, stops both (by their
// process ids). Setup runs from here, not from a `setup && start` chain, so npm's child
// is this process itself: no shell in between swallows a signal a process manager sends.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'setup.mjs')], { stdio: 'inherit' });
const gatewayPort = process.env.KASSA_PORT ?? '8000';
const shopPort = process.env.SHOP_PORT ?? '3000';
const children = [];

function run(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // A part that fails to start (a port in use) or dies: the rest stops, non-zero.
    process.stderr.write(`[start] the ${name} stopped (${code ?? signal}); stopping the rest\n`);
    stop(code || 1);
  });
  return child;
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) {
    // Ctrl-C reaches the children too: one may be gone already.
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(c.pid, 'SIGTERM');
      } catch {}
    }
  }
  const left = children.filter((c) => c.exitCode === null && c.signalCode === null);
  let waiting = left.length;
  if (waiting === 0) process.exit(code);
  for (const c of left) c.once('exit', () => --waiting === 0 && process.exit(code));
  setTimeout(() => process.exit(code), 5_000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const gatewayPublic = process.env.KASSA_PUBLIC_URL ?? `http://localhost:${gatewayPort}`;
// The gateway's built bundle (setup has just built it): plain node, no TypeScript loader.
const gateway = run('gateway', ['packages/server/dist/kassa.mjs', 'start'], {
  KASSA_PORT: gatewayPort,
  // The terminal shows the banner, the shop's lines and anything that goes wrong; one JSON
  // line per request (as `kassa start` logs by default) only with KASSA_LOG_LEVEL=info.
  KASSA_LOG_LEVEL: process.env.KASSA_LOG_LEVEL ?? 'warn',
  // The demo install: the demo merchant and its keys, and the shop's webhook receiver on
  // this machine allowed as a target.
  KASSA_DEMO: '1',
  KASSA_WEBHOOK_ALLOWED_HOSTS: process.env.KASSA_WEBHOOK_ALLOWED_HOSTS ?? '127.0.0.1,localhost',
  // The shop's own answers, shown in the dashboard's delivery log: here the operator is the
  // merchant, so reading back a loopback answer shows nobody anything new.
  KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: process.env.KASSA_WEBHOOK_KEEP_RESPONSE_BODIES ?? '1',
  // Followed on every start: the modal can frame the shop on whatever port it runs on.
  KASSA_DEMO_ORIGINS:
    process.env.KASSA_DEMO_ORIGINS ?? `http://localhost:${shopPort},http://127.0.0.1:${shopPort}`,
  KASSA_DEMO_NAME: process.env.KASSA_DEMO_NAME ?? 'Chai & Co',
});

let banner = '';
let shopStarted = false;
gateway.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (shopStarted) return;
  banner += chunk;
  const secret = /secret key:\s+(sk_\S+)/.exec(banner)?.[1];
  if (!secret) return;
  shopStarted = true;
  const shop = run('storefront', ['--import', 'tsx', 'examples/storefront/src/main.ts'], {
    KASSA_URL: `http://127.0.0.1:${gatewayPort}`,
    KASSA_PUBLIC_URL: gatewayPublic,
    KASSA_SECRET_KEY: secret,
    SHOP_PORT: shopPort,
    SHOP_DATABASE: process.env.SHOP_DATABASE ?? 'data/shop.db',
  });
  shop.stdout.on('data', (d) => {
    process.stdout.write(d);
    if (String(d).includes('Storefront listening')) {
      process.stdout.write(
        `\nKassa is running.\n  Shop:     http://localhost:${shopPort}  (pay with 4242 4242 4242 4242)\n  Gateway:  ${gatewayPublic}  (API docs at /docs)\nPress Ctrl-C to stop.\n`,
      );
    }
  });
});
