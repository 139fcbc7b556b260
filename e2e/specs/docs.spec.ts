import { expect, test } from '@playwright/test';
import { env } from './helpers.ts';

test('the API reference renders offline, from the gateway alone', async ({ page }) => {
  // Redoc lays out the whole 100 KB document before it shows a heading: ~12 s of this
  // machine's CPU when nothing else runs, more beside the other specs.
  test.setTimeout(60_000);
  const gateway = new URL(env().gateway).origin;
  const elsewhere: string[] = [];
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
  // Redoc's own "API docs by Redocly" badge is an image on its CDN; it hides itself when
  // that fails (and the page's CSP refuses it anyway). Nothing else leaves the gateway.
  expect(
    elsewhere.filter((u) => !u.startsWith('https://cdn.redoc.ly/redoc/logo-mini.svg')),
  ).toEqual([]);
});
