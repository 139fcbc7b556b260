import type { RazorpayOptions } from '@kassa/processors';
import type { FakeRazorpay } from '@kassa/processors/fake-razorpay';
import { expect } from 'vitest';
import { type Config, testConfig } from '../config.ts';
import { createAccounts } from '../processors/accounts.ts';
import { defaultProcessors } from '../processors/registry.ts';
import { type TestGateway, testGateway } from './harness.ts';

/**
 * A gateway with Razorpay at the fake Razorpay, for the Razorpay tests: Acme's Razorpay
 * account (test, live or both) saved, Razorpay's webhooks routed to the account's URL, and
 * the page's part of a card payment as Razorpay's Checkout does it.
 */
export function razorpayTestKit(fake: FakeRazorpay) {
  const KEYS = {
    test: {
      key_id: 'rzp_test_acme',
      key_secret: 'acmeTestSecret1',
      webhook_secret: 'acmeHookTest1',
    },
    live: {
      key_id: 'rzp_live_acme',
      key_secret: 'acmeLiveSecret1',
      webhook_secret: 'acmeHookLive1',
    },
  };
  const OTHER_KEYS = {
    key_id: 'rzp_test_beta',
    key_secret: 'betaTestSecret1',
    webhook_secret: 'betaHookTest1',
  };
  for (const k of [KEYS.test, KEYS.live, OTHER_KEYS]) fake.addAccount(k.key_id, k.key_secret);
  const encryptionKey = Buffer.alloc(32, 9);
  /** A shopper Razorpay's UPI accepts: the PaymentIntent's customer. */
  const CUSTOMER = { email: 'asha@example.in', phone: '+919876543210' };

  /** Where the fake sends one Razorpay account's webhooks: its account's URL here. */
  function route(g: TestGateway, accountRow: string, secret: string, account: string) {
    fake.sendWebhooksTo(
      async (body, headers) =>
        (
          await g.app.request(`/v1/processor_webhooks/razorpay/${accountRow}`, {
            method: 'POST',
            headers,
            body,
          })
        ).status,
      secret,
      account,
    );
  }

  async function gatewayWithRazorpay(
    opts: {
      connect?: ('test' | 'live')[];
      razorpay?: Omit<RazorpayOptions, 'api'>;
      config?: Partial<Config>;
    } = {},
  ) {
    const config = testConfig({ publicUrl: 'http://gateway.test', encryptionKey });
    const g = await testGateway({
      realTime: true,
      config: { encryptionKey, ...opts.config },
      processors: defaultProcessors(config, {
        razorpay: { api: fake.url, maxNetworkRetries: 1, ...opts.razorpay },
      }),
    });
    const rows: Record<string, string> = {};
    for (const mode of opts.connect ?? ['test']) {
      const row = await createAccounts(g).save(
        g.processors.razorpay as never,
        g.a.id,
        mode === 'live',
        KEYS[mode],
      );
      rows[mode] = row.id;
      route(g, row.id, KEYS[mode].webhook_secret, `${mode}:acme`);
    }
    return { ...g, rows };
  }

  /** The second merchant (Other Shop) connects a Razorpay account of its own, test mode. */
  async function connectOther(g: TestGateway) {
    const row = await createAccounts(g).save(
      g.processors.razorpay as never,
      g.b.id,
      false,
      OTHER_KEYS,
    );
    route(g, row.id, OTHER_KEYS.webhook_secret, 'test:beta');
    return row.id;
  }

  type Session = { client_secret: string; publishable_key: string; processor: string };

  /** The page opens its Razorpay session: the order Checkout pays, and the key id. */
  async function openAtRazorpay(
    g: TestGateway,
    intent: { id: string; client_secret: string },
    pk = g.a.pk,
  ) {
    const opened = await g.call(
      'POST',
      `/v1/client/payment_intents/${intent.id}/processor_session`,
      pk,
      { client_secret: intent.client_secret, payment_method_type: 'card' },
    );
    expect(opened.status).toBe(200);
    const session = opened.json.session as Session;
    return { session, order: session.client_secret };
  }

  /** Checkout's part: the shopper pays the order with a card, at Razorpay. */
  async function payInCheckout(
    g: TestGateway,
    intent: { id: string; client_secret: string },
    card: string,
    pk = g.a.pk,
  ) {
    const { session, order } = await openAtRazorpay(g, intent, pk);
    const result = await fake.checkout(order, session.publishable_key, card);
    return { session, order, result };
  }

  /** The page tells the gateway the shopper finished, with what Checkout handed it. */
  const complete = (
    g: TestGateway,
    intent: { id: string; client_secret: string },
    result?: Record<string, string>,
    pk = g.a.pk,
  ) =>
    g.call('POST', `/v1/client/payment_intents/${intent.id}/processor_session/complete`, pk, {
      client_secret: intent.client_secret,
      ...(result && { processor_result: result }),
    });

  return {
    KEYS,
    OTHER_KEYS,
    CUSTOMER,
    encryptionKey,
    gatewayWithRazorpay,
    connectOther,
    openAtRazorpay,
    payInCheckout,
    complete,
    route,
  };
}
