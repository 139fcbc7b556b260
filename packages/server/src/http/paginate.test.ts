import { describe, expect, it } from 'vitest';
import { CARDS, card, type TestGateway, testGateway } from '../testing/harness.ts';

/** Walks a list one object at a time, forwards then backwards; the pages must meet the
 * full list exactly, and the walk must end (a cursor that is ignored loops forever). */
async function walk(g: TestGateway, path: string, key: string) {
  const sep = path.includes('?') ? '&' : '?';
  const all = await g.call('GET', `${path}${sep}limit=100`, key);
  expect(all.status, all.text).toBe(200);
  const ids: string[] = all.json.data.map((o: { id: string }) => o.id);
  expect(all.json.has_more).toBe(false);

  const forward: string[] = [];
  let cursor = '';
  for (let i = 0; i <= ids.length; i++) {
    const page = await g.call('GET', `${path}${sep}limit=1${cursor}`, key);
    expect(page.status, page.text).toBe(200);
    forward.push(...page.json.data.map((o: { id: string }) => o.id));
    if (!page.json.has_more) break;
    cursor = `&starting_after=${forward.at(-1)}`;
  }
  expect(forward).toEqual(ids);

  const backward: string[] = [];
  cursor = `&ending_before=${ids.at(-1)}`;
  for (let i = 0; i <= ids.length; i++) {
    const page = await g.call('GET', `${path}${sep}limit=2${cursor}`, key);
    expect(page.status, page.text).toBe(200);
    backward.unshift(...page.json.data.map((o: { id: string }) => o.id));
    if (!page.json.has_more) break;
    cursor = `&ending_before=${backward[0]}`;
  }
  expect(backward).toEqual(ids.slice(0, -1));
  return ids;
}

describe('every list pages the same way', () => {
  it('walks intents, events, refunds, endpoints, deliveries and runs without repeats', async () => {
    const g = await testGateway();
    const endpoints = [];
    for (let i = 0; i < 3; i++) {
      const r = await g.call('POST', '/v1/webhook_endpoints', g.a.sk, {
        url: `http://127.0.0.1:9/hook${i}`,
        enabled_events: ['*'],
      });
      expect(r.status, r.text).toBe(201);
      endpoints.push(r.json.id);
    }
    for (let i = 0; i < 3; i++) {
      // Two objects in the same millisecond, then a step: ties are broken by id.
      const intent = (await g.createIntent()).json;
      expect((await g.confirm(intent, card(CARDS.ok))).status).toBe(200);
      for (const amount of [100, 200]) {
        const r = await g.call('POST', '/v1/refunds', g.a.sk, {
          payment_intent: intent.id,
          amount,
        });
        expect(r.status, r.text).toBe(201);
      }
      if (i % 2) g.clock.advance(1000);
    }
    for (const date of ['2026-05-29', '2026-05-30', '2026-05-31']) {
      const r = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, { date });
      expect(r.status, r.text).toBe(201);
      g.clock.advance(1);
    }

    expect(await walk(g, '/v1/payment_intents', g.a.sk)).toHaveLength(3);
    expect(await walk(g, '/v1/refunds', g.a.sk)).toHaveLength(6);
    expect((await walk(g, '/v1/events', g.a.sk)).length).toBeGreaterThan(9);
    expect(await walk(g, '/v1/events?type=payment_intent.succeeded', g.a.sk)).toHaveLength(3);
    expect(await walk(g, '/v1/webhook_endpoints', g.a.sk)).toEqual(endpoints.reverse());
    expect(
      (await walk(g, `/v1/webhook_endpoints/${endpoints[0]}/deliveries`, g.a.sk)).length,
    ).toBeGreaterThan(9);
    expect(await walk(g, '/v1/reconciliation_runs', g.a.sk)).toHaveLength(3);
  });

  it("refuses another merchant's object as a cursor, naming the parameter", async () => {
    const g = await testGateway();
    const theirs = (await g.createIntent({}, g.b.sk)).json;
    for (const param of ['starting_after', 'ending_before']) {
      const r = await g.call('GET', `/v1/payment_intents?${param}=${theirs.id}`, g.a.sk);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'parameter_invalid', param });
    }
    const both = await g.call('GET', '/v1/refunds?starting_after=re_1&ending_before=re_2', g.a.sk);
    expect(both.status).toBe(400);
    expect(both.json.error.param).toBe('ending_before');
  });
});
