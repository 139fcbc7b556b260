import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { median } from './load.ts';
import { freePort, startGateway } from './procs.ts';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/**
 * In Chromium: the time from `Kassa.open()` to the card field accepting input (the page's
 * ready message, after it focused the field), each run in a fresh browser context (cold
 * cache); and the main-thread time checkout.js costs the merchant's page before open().
 */
export async function browserBench(o: { quick: boolean; dir: string; checkoutJs: string }) {
  const runs = o.quick ? 5 : 15;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const gw = await startGateway({
    KASSA_DATABASE_URL: `file:${join(o.dir, 'browser.db')}`,
    KASSA_DEMO_ORIGINS: origin,
    KASSA_LOG_LEVEL: 'warn',
  });
  const withScript = `<!doctype html><title>shop</title><script src="${gw.url}/checkout.js"></script><h1>Shop</h1>`;
  const bare = '<!doctype html><title>shop</title><h1>Shop</h1>';
  const page = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(req.url?.startsWith('/bare') ? bare : withScript);
  });
  await new Promise<void>((r) => page.listen(port, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.KASSA_CHROMIUM ?? '/usr/bin/chromium',
    args: ARGS,
  });
  const openToReady: number[] = [];
  const mainThread: number[] = [];
  const checkoutSource = readFileSync(o.checkoutJs, 'utf8');
  try {
    for (let i = 0; i < runs; i++) {
      const res = await fetch(`${gw.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          amount: 1999,
          currency: 'usd',
          order_id: `browser_${Date.now()}_${i}`,
        }),
      });
      const pi = (await res.json()) as { client_secret: string };
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(origin);
      await tab.waitForFunction(() => 'Kassa' in window);
      // Source strings, not functions: the TypeScript loader would add helpers the page lacks.
      const ms = (await tab.evaluate(`new Promise((resolve) => {
        const t0 = performance.now();
        window.Kassa.open({ clientSecret: ${JSON.stringify(pi.client_secret)} });
        const check = () => {
          if (document.querySelector('dialog.kassa') && !document.querySelector('dialog.kassa .kassa-loader')) {
            resolve(performance.now() - t0);
          } else requestAnimationFrame(check);
        };
        check();
      })`)) as number;
      // The field really takes input at that point.
      await tab
        .frameLocator('dialog.kassa iframe')
        .getByLabel('Card number')
        .fill('4242', { timeout: 2000 });
      openToReady.push(ms);

      const bareTab = await context.newPage();
      await bareTab.goto(`${origin}/bare`);
      mainThread.push(
        (await bareTab.evaluate(`(() => {
          const long = [];
          new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); })
            .observe({ type: 'longtask', buffered: true });
          const t0 = performance.now();
          const s = document.createElement('script');
          s.textContent = ${JSON.stringify(checkoutSource)};
          document.head.appendChild(s);
          return performance.now() - t0 + long.reduce((a, b) => a + b, 0);
        })()`)) as number,
      );
      await context.close();
    }
  } finally {
    await browser.close();
    page.close();
    await gw.stop();
  }
  return {
    runs,
    openToReadyMs: median(openToReady),
    checkoutMainThreadMs: median(mainThread),
    samples: openToReady,
  };
}
