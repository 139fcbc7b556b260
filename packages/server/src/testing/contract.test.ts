import { describe, expect, it } from 'vitest';
import { contractChecker } from './contract.ts';
import { testGateway } from './harness.ts';

describe('the contract check every test request goes through', () => {
  it('passes real answers and fails drift: unlisted status, wrong body, unknown route', async () => {
    const g = await testGateway();
    const check = contractChecker(g.spec());
    const json = new Headers({ 'content-type': 'application/json' });
    const created = await g.createIntent();
    const body = JSON.stringify(created.json);
    expect(() => check('POST', '/v1/payment_intents', 201, json, body)).not.toThrow();

    expect(() => check('GET', '/v1/payment_intents/pi_1', 402, json, body)).toThrow(
      /does not list/,
    );
    const intentAnswer = (answer: object) => () =>
      check('POST', '/v1/payment_intents', 201, json, JSON.stringify(answer));
    const { amount: _amount, ...withoutAmount } = created.json;
    expect(intentAnswer(withoutAmount)).toThrow(/amount/);
    expect(intentAnswer({ ...created.json, status: 'paid' })).toThrow(/status/);
    expect(intentAnswer({ ...created.json, card_number: '4242' })).toThrow(/additional/);
    expect(() => check('GET', '/v1/secret_admin', 200, json, '{}')).toThrow(/not in the OpenAPI/);
    const error = JSON.stringify({ error: { type: 'nope', code: 'x', message: 'm' } });
    expect(() => check('GET', '/v1/refunds/re_1', 404, json, error)).toThrow(/type|request_id/);
  });
});
