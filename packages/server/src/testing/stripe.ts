import type { StripeOptions } from '@kassa/processors';
import type { FakeStripe } from '@kassa/processors/testing';
import { expect } from 'vitest';
import { type Config, testConfig } from '../config.ts';
import { createAccounts } from '../processors/accounts.ts';
import { defaultProcessors } from '../processors/registry.ts';
import { type TestGateway, testGateway } from './harness.ts';

/**
 * A gateway with Stripe at the fake Stripe, for the Stripe tests: Acme's Stripe account
 * (test, live or both) saved, Stripe's webhooks routed to the account's URL, and the
 * page's part of a payment as the Payment Element does it.
 */
/** The Stripe PaymentIntent a page session is for (its client secret names it). */
const referenceOf = (session: { client_secret: string }) =>
  session.client_secret.split('_secret_')[0] as string;

export function stripeTestKit(fake: FakeStripe) {
  const KEYS = {
    test: {
      secret_key: 'sk_test_acme',
      publishable_key: 'pk_test_acme',
      webhook_secret: 'whsec_acmeTest',
    },
    live: {
      secret_key: 'sk_live_acme',
      publishable_key: 'pk_live_acme',
      webhook_secret: 'whsec_acmeLive',
    },
  };
  const OTHER_KEYS = {
    secret_key: 'sk_test_beta',
    publishable_key: 'pk_test_beta',
    webhook_secret: 'whsec_betaTest',
  };
  const encryptionKey = Buffer.alloc(32, 7);

  /** A gateway with Stripe (at the fake) registered, and Acme's Stripe account saved. */
  async function gatewayWithStripe(
    opts: {
      filename?: string;
      connect?: ('test' | 'live')[];
      /** The adapter's own options (retries, call budget) and the gateway's config. */
      stripe?: Omit<StripeOptions, 'api'>;
      config?: Partial<Config>;
    } = {},
  ) {
    const config = testConfig({ publicUrl: 'http://gateway.test', encryptionKey });
    const g = await testGateway({
      realTime: true,
      filename: opts.filename,
      config: { encryptionKey, ...opts.config },
      processors: defaultProcessors(config, {
        stripe: { api: fake.api, maxNetworkRetries: 2, ...opts.stripe },
      }),
    });
    const accounts = createAccounts(g);
    const rows: Record<string, string> = {};
    for (const mode of opts.connect ?? ['test']) {
      const row = await accounts.save(
        g.processors.stripe as never,
        g.a.id,
        mode === 'live',
        KEYS[mode],
      );
      rows[mode] = row.id;
    }
    // Stripe's webhooks of each of Acme's accounts reach the gateway's route for it.
    for (const mode of opts.connect ?? ['test']) {
      route(g, rows[mode] as string, KEYS[mode].webhook_secret, `${mode}:acme`);
    }
    return { ...g, rows };
  }

  type Session = { client_secret: string; publishable_key: string };

  /** The page opens its Stripe session: the Stripe PaymentIntent's page keys. */
  async function openAtStripe(
    g: TestGateway,
    intent: { id: string; client_secret: string },
    pk = g.a.pk,
  ): Promise<{ session: Session; reference: string }> {
    const opened = await g.call(
      'POST',
      `/v1/client/payment_intents/${intent.id}/processor_session`,
      pk,
      { client_secret: intent.client_secret, payment_method_type: 'card' },
    );
    expect(opened.status).toBe(200);
    const session = opened.json.session as Session;
    return { session, reference: referenceOf(session) };
  }

  /** Stripe.js's confirm: the publishable key and the PaymentIntent's client secret. */
  const confirmAtStripe = (session: Session, card: string) =>
    fetch(`${fake.url}/v1/payment_intents/${referenceOf(session)}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        key: session.publishable_key,
        client_secret: session.client_secret,
        'payment_method_data[type]': 'card',
        'payment_method_data[card][number]': card,
      }),
    });

  /** The page's part: open the session, then pay at "Stripe" as the Payment Element would. */
  async function payAtStripe(
    g: TestGateway,
    intent: { id: string; client_secret: string },
    card: string,
    pk = g.a.pk,
  ) {
    const { session, reference } = await openAtStripe(g, intent, pk);
    const res = await confirmAtStripe(session, card);
    return { session, reference, stripeStatus: res.status };
  }

  const complete = (g: TestGateway, intent: { id: string; client_secret: string }, pk = g.a.pk) =>
    g.call('POST', `/v1/client/payment_intents/${intent.id}/processor_session/complete`, pk, {
      client_secret: intent.client_secret,
    });

  /** Where the fake sends one Stripe account's webhooks: its account's URL at this gateway. */
  function route(g: TestGateway, accountRow: string, secret: string, account: string) {
    fake.sendWebhooksTo(
      async (body, headers) =>
        (
          await g.app.request(`/v1/processor_webhooks/stripe/${accountRow}`, {
            method: 'POST',
            headers,
            body,
          })
        ).status,
      secret,
      account,
    );
  }

  /** The second merchant (Other Shop) connects a Stripe account of its own, test mode. */
  async function connectOther(g: TestGateway) {
    const row = await createAccounts(g).save(
      g.processors.stripe as never,
      g.b.id,
      false,
      OTHER_KEYS,
    );
    route(g, row.id, OTHER_KEYS.webhook_secret, 'test:beta');
    return row.id;
  }

  return {
    KEYS,
    OTHER_KEYS,
    encryptionKey,
    gatewayWithStripe,
    openAtStripe,
    confirmAtStripe,
    payAtStripe,
    complete,
    connectOther,
  };
}
