import { MESSAGE_SOURCE, MESSAGE_VERSION } from '@kassa/protocol/messages';
import { describe, expect, it } from 'vitest';
import { readMessage } from './modal.ts';

const GATEWAY = 'https://pay.example';
const frame = { name: 'the iframe' };
const msg = (body: object) => ({ source: MESSAGE_SOURCE, version: MESSAGE_VERSION, ...body });
const from = (data: unknown, origin = GATEWAY, source: unknown = frame) =>
  ({ origin, source, data }) as Pick<MessageEvent, 'origin' | 'source' | 'data'>;

describe('what checkout.js makes of a message', () => {
  it('hears only its own iframe, on the gateway origin, speaking the protocol', () => {
    const ready = msg({ type: 'ready' });
    expect(readMessage(from(ready), GATEWAY, frame, 800)).toEqual({ kind: 'ready' });
    expect(readMessage(from(ready, 'https://evil.example'), GATEWAY, frame, 800)).toBeNull();
    expect(readMessage(from(ready, GATEWAY, { other: 1 }), GATEWAY, frame, 800)).toBeNull();
    expect(readMessage(from({ ...ready, version: 2 }), GATEWAY, frame, 800)).toBeNull();
    expect(readMessage(from({ type: 'ready' }), GATEWAY, frame, 800)).toBeNull();
    expect(readMessage(from('ready'), GATEWAY, frame, 800)).toBeNull();
    expect(readMessage(from(msg({ type: 'nonsense' })), GATEWAY, frame, 800)).toBeNull();
  });

  it('closes when the page says so (the page asks first while a payment is confirmed)', () => {
    const close = from(msg({ type: 'close' }));
    expect(readMessage(close, GATEWAY, frame, 800)).toEqual({ kind: 'close' });
    expect(
      readMessage(from(msg({ type: 'close' }), 'https://evil.example'), GATEWAY, frame, 800),
    ).toBeNull();
    expect(readMessage(from(msg({ type: 'busy', busy: true })), GATEWAY, frame, 800)).toEqual({
      kind: 'busy',
      busy: true,
    });
  });

  it('follows the page height within 200 px and the window', () => {
    const resize = (height: number) =>
      readMessage(from(msg({ type: 'resize', height })), GATEWAY, frame, 800);
    expect(resize(500)).toEqual({ kind: 'resize', height: 500 });
    expect(resize(50)).toEqual({ kind: 'resize', height: 200 });
    expect(resize(5000)).toEqual({ kind: 'resize', height: 768 });
  });

  it('hands on the outcome with exactly the fields the merchant gets', () => {
    const success = msg({
      type: 'success',
      payment_intent_id: 'pi_1',
      order_id: 'o1',
      status: 'succeeded',
      signature: 'ab',
      extra: 'not passed on',
    });
    expect(readMessage(from(success), GATEWAY, frame, 800)).toEqual({
      kind: 'success',
      result: { payment_intent_id: 'pi_1', order_id: 'o1', status: 'succeeded', signature: 'ab' },
    });
    const failure = msg({
      type: 'failure',
      payment_intent_id: 'pi_1',
      code: 'expired',
      message: 'm',
    });
    expect(readMessage(from(failure), GATEWAY, frame, 800)).toEqual({
      kind: 'failure',
      error: { code: 'expired', message: 'm', payment_intent_id: 'pi_1' },
    });
  });
});
