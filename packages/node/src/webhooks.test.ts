import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from './index.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'payment_intent.succeeded',
  created: 1,
  livemode: false,
  data: { object: { id: 'pi_1' } },
});
const sign = (id: string, ts: number, b: string, s = secret) =>
  `v1,${createHmac('sha256', Buffer.from(s.slice(6), 'base64'))
    .update(`${id}.${ts}.${b}`)
    .digest('base64')}`;
const now = Date.now();
const ts = Math.floor(now / 1000);

describe('verifyWebhook', () => {
  it('returns the typed event for a good signature (plain object or Headers)', () => {
    const h = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': sign('evt_1', ts, body),
    };
    expect(verifyWebhook(body, h, secret).type).toBe('payment_intent.succeeded');
    expect(verifyWebhook(Buffer.from(body), new Headers(h), secret).id).toBe('evt_1');
  });

  it('accepts any of several space-separated signatures (secret rotation)', () => {
    const old = `whsec_${randomBytes(32).toString('base64')}`;
    const h = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': `${sign('evt_1', ts, body)} ${sign('evt_1', ts, body, old)}`,
    };
    expect(verifyWebhook(body, h, old).id).toBe('evt_1');
  });

  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(WebhookVerificationError);
      return (e as WebhookVerificationError).code;
    }
    return 'accepted';
  };

  it('refuses a changed body, another secret, an old timestamp and missing headers, each with its code', () => {
    const h = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': sign('evt_1', ts, body),
    };
    expect(code(() => verifyWebhook(body.replace('pi_1', 'pi_2'), h, secret))).toBe(
      'bad_signature',
    );
    expect(code(() => verifyWebhook(body, h, `whsec_${randomBytes(32).toString('base64')}`))).toBe(
      'bad_signature',
    );
    const oldTs = ts - 301;
    const oldH = {
      ...h,
      'webhook-timestamp': String(oldTs),
      'webhook-signature': sign('evt_1', oldTs, body),
    };
    expect(code(() => verifyWebhook(body, oldH, secret))).toBe('too_old');
    expect(code(() => verifyWebhook(body, { 'webhook-id': 'evt_1' }, secret))).toBe('malformed');
  });
});
