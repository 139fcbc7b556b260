import { signSandboxNotification } from '@kassa/processors';
import { beforeEach, describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

let g: TestGateway;
beforeEach(async () => {
  g = await testGateway();
});

/** A processing payment and its processor reference. */
async function processingPayment() {
  const pi = (await g.createIntent()).json;
  await g.confirm(pi, card(CARDS.async));
  const intent = (await g.call('GET', `/v1/payment_intents/${pi.id}`, g.a.sk)).json;
  const attempt = await g.store.read((tx) => tx.attempts.get(intent.latest_attempt));
  return { pi, reference: attempt?.processorReference as string };
}

const notify = (
  body: Record<string, unknown>,
  opts: { secret?: string; at?: number; raw?: string } = {},
) => {
  const raw = opts.raw ?? JSON.stringify(body);
  const t = Math.floor((opts.at ?? g.clock.now()) / 1000);
  return g.app.request('/v1/processor_webhooks/sandbox', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'kassa-sandbox-signature': signSandboxNotification(
        raw,
        opts.secret ?? g.config.sandbox.notificationSecret,
        t,
      ),
    },
    body: raw,
  });
};

const statusOf = async (id: string) =>
  (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json.status;

describe('inbound processor notifications', () => {
  it('a verified notification is a trigger: the gateway asks the processor and applies what it says, once', async () => {
    const { pi, reference } = await processingPayment();
    // Signed by the sandbox's secret, but the sandbox has not settled it: nothing moves.
    const early = await notify({ id: 'ntf_0', reference, outcome: { status: 'succeeded' } });
    expect(await early.json()).toMatchObject({ received: true, duplicate: false });
    expect(await statusOf(pi.id)).toBe('processing');
    g.clock.advance(2500);
    const body = { id: 'ntf_1', reference, outcome: { status: 'processing' } };
    const first = await notify(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ received: true, duplicate: false, applied: true });
    // What the processor says now, not what the notification said.
    expect(await statusOf(pi.id)).toBe('succeeded');
    const again = await notify(body);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
  });

  it('a notification for a payment Kassa does not have is refused, counted, and changes nothing', async () => {
    const res = await notify({
      id: 'ntf_x',
      reference: 'sbx_nothing',
      outcome: { status: 'succeeded' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, applied: false });
    const metrics = await g.metrics.registry.getSingleMetricAsString(
      'kassa_processor_events_rejected_total',
    );
    expect(metrics).toContain('processor="sandbox",reason="unknown_object"} 1');
  });

  it('refuses a bad signature and a notification older than 5 minutes, and changes nothing', async () => {
    g.clock.advance(2500);
    const { pi, reference } = await processingPayment();
    const body = { id: 'ntf_2', reference, outcome: { status: 'succeeded' } };
    const forged = await notify(body, { secret: 'not-the-secret' });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as any).error.code).toBe('invalid_signature');
    const old = await notify(body, { at: g.clock.now() - 6 * 60_000 });
    expect(old.status).toBe(400);
    expect(((await old.json()) as any).error.code).toBe('notification_too_old');
    expect(await statusOf(pi.id)).toBe('processing');
  });

  it('a late or out-of-order notification never moves a payment backwards', async () => {
    const { pi, reference } = await processingPayment();
    g.clock.advance(2500);
    await notify({ id: 'ntf_4', reference, outcome: { status: 'succeeded' } });
    expect(await statusOf(pi.id)).toBe('succeeded');
    // A notification saying it failed, or is still processing, after the processor paid it.
    await notify({
      id: 'ntf_3',
      reference,
      outcome: { status: 'failed', declineCode: 'generic_decline' },
    });
    await notify({ id: 'ntf_5', reference, outcome: { status: 'processing' } });
    expect(await statusOf(pi.id)).toBe('succeeded');
    expect(await g.events(pi.id)).toEqual([
      'payment_intent.created',
      'payment_intent.processing',
      'payment_intent.succeeded',
    ]);
  });

  it('answers malformed bodies 400 and unknown processors 404', async () => {
    const bad = await notify({}, { raw: '{"id": 1}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('malformed_notification');
    const unknown = await g.app.request('/v1/processor_webhooks/nope', {
      method: 'POST',
      body: '{}',
    });
    expect(unknown.status).toBe(404);
  });
});
