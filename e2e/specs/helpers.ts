import { expect, type FrameLocator, type Page } from '@playwright/test';

export const env = () => ({
  gateway: process.env.E2E_GATEWAY_URL as string,
  merchant: process.env.E2E_MERCHANT_URL as string,
  other: process.env.E2E_OTHER_URL as string,
});

export interface Result {
  type: 'success' | 'failure' | 'close';
  payment_intent_id?: string;
  order_id?: string;
  status?: string;
  signature?: string;
  code?: string;
  message?: string;
}

/** The merchant page, with checkout.js loaded from the gateway. */
export async function openShop(page: Page) {
  await page.goto(env().merchant);
  await page.waitForFunction(() => 'Kassa' in window);
}

/** Opens the modal for a new intent the merchant's server creates. */
export async function pay(
  page: Page,
  intent: Record<string, unknown> = {},
  open: Record<string, unknown> = {},
) {
  const pi = await page.evaluate(([i, o]) => window.payWith(i, o), [intent, open] as const);
  await expect(hosted(page).locator('[data-testid="amount"]')).toBeVisible();
  return pi as { id: string; client_secret: string; order_id: string };
}

export const hosted = (page: Page): FrameLocator => page.frameLocator('dialog.kassa iframe');

export async function fillCard(
  frame: FrameLocator,
  number: string,
  o: { expiry?: string; cvc?: string; name?: string } = {},
) {
  await frame.getByLabel('Card number').fill(number);
  await frame.getByLabel('Expiry (MM/YY)').fill(o.expiry ?? '12 / 34');
  await frame.getByLabel('Security code').fill(o.cvc ?? (number.startsWith('37') ? '1234' : '123'));
  await frame.getByLabel('Name on card').fill(o.name ?? 'Asha Rao');
}

export async function payCard(page: Page, number: string) {
  const frame = hosted(page);
  await fillCard(frame, number);
  await frame.getByRole('button', { name: /^Pay / }).click();
}

export const results = (page: Page) => page.evaluate(() => window.results as Result[]);

export async function waitForResult(page: Page, type: Result['type']): Promise<Result> {
  await expect
    .poll(async () => (await results(page)).some((r) => r.type === type), { timeout: 15_000 })
    .toBe(true);
  return (await results(page)).find((r) => r.type === type) as Result;
}

/** The intent as the merchant's server sees it. */
export async function serverIntent(page: Page, id: string) {
  const res = await page.request.get(`${env().merchant}/api/intents/${id}`, { timeout: 5_000 });
  return (await res.json()) as { status: string; amount_received: number };
}

export async function verifySignature(page: Page, r: Result) {
  const res = await page.request.post(`${env().merchant}/api/verify`, {
    data: { order_id: r.order_id, payment_intent_id: r.payment_intent_id, signature: r.signature },
  });
  return ((await res.json()) as { valid: boolean }).valid;
}

/** Jobs of a kind still to run for the merchant (queued, running or retrying). */
export async function jobsToRun(page: Page, kind: string): Promise<number> {
  const res = await page.request.get(`${env().merchant}/api/jobs`, { timeout: 5_000 });
  const stats = (await res.json()) as {
    kinds: Record<string, { queued: number; running: number }>;
  };
  const k = stats.kinds[kind];
  return k ? k.queued + k.running : 0;
}
