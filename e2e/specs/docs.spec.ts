import { expect, test } from '@playwright/test';
import { env } from './helpers.ts';

test('the API reference renders offline, from the gateway alone', async ({ page }) => {
  // Redoc lays out the whole 100 KB document before it shows a heading: ~12 s of this
  // machine's CPU when nothing else runs, more beside the other specs.
  test.setTimeout(60_000);
  const gateway = new URL(env().gateway).origin;
  const elsewhere: string[] = [];
  const complaints: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') complaints.push(m.text());
  });
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
  });
  // Offline: every other origin is unreachable.
  await page.route(
    (url) => url.protocol.startsWith('http') && url.origin !== gateway,
    (route) => {
      elsewhere.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  await page.goto(`${gateway}/docs`);
  // Operations, their parameters and the webhooks section, rendered by Redoc.
  await expect(page.getByRole('heading', { name: 'Create a payment intent' })).toBeVisible({
    timeout: 45_000,
  });
  await expect(page.getByText('Idempotency-Key').first()).toBeAttached();
  await expect(page.getByText('payment_intent.succeeded').first()).toBeAttached();
  await expect(page.getByText('4242 4242 4242 4242').first()).toBeAttached();
  await expect(page).toHaveTitle('Kassa API reference');
  // Nothing leaves the gateway (Redoc's badge image on its CDN is not even asked for), no
  // CSP block or other error reaches the console, and nothing is missing (the favicon).
  expect(elsewhere).toEqual([]);
  expect(complaints.filter((c) => /Content Security Policy|Refused/i.test(c))).toEqual([]);
  expect(missing).toEqual([]);
  const icon = await page.request.get(`${gateway}/favicon.ico`);
  expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
});
