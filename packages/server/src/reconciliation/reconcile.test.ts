import { createRedirectProcessor, createSandboxProcessor } from '@kassa/processors';
import { describe, expect, it } from 'vitest';
import { CARDS, card, testGateway } from '../testing/harness.ts';
import { toCsv } from './reconcile.ts';

async function setup() {
  let clockRef: { now: () => number } | undefined;
  const sandbox = createSandboxProcessor({ now: () => clockRef?.now() ?? Date.now() });
  const g = await testGateway({
    processors: {
      sandbox,
      redirect: createRedirectProcessor({ secret: 'redirect_notification_secret' }),
    },
  });
  clockRef = g.clock;
  const reference = async (id: string) => {
    const pi = (await g.call('GET', `/v1/payment_intents/${id}`, g.a.sk)).json;
    return (await g.store.read((tx) => tx.attempts.get(pi.latest_attempt)))
      ?.processorReference as string;
  };
  const day = new Date(g.clock.now()).toISOString().slice(0, 10);
  return { g, sandbox, reference, day };
}

describe('reconciliation against the settlement report', () => {
  it('finds and fixes a missed success, reports the reverse, and agrees on the rest', async () => {
    const { g, sandbox, reference, day } = await setup();
    const ok = (await g.createIntent()).json;
    await g.confirm(ok, card(CARDS.ok));
    const declined = (await g.createIntent()).json;
    await g.confirm(declined, card(CARDS.declined));
    const missed = (await g.createIntent()).json;
    await g.confirm(missed, card(CARDS.insufficient));
    const reverse = (await g.createIntent()).json;
    await g.confirm(reverse, card(CARDS.ok));
    // The processor's books disagree: it settled `missed`, and failed `reverse`.
    await sandbox.injectDiscrepancy(await reference(missed.id), 'succeeded');
    await sandbox.injectDiscrepancy(await reference(reverse.id), 'failed');

    const res = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, { date: day });
    expect(res.status).toBe(201);
    const byIntent = Object.fromEntries(
      res.json.rows.map((r: { payment_intent: string }) => [r.payment_intent, r]),
    );
    expect(byIntent[ok.id]).toMatchObject({ case: 'both_succeeded' });
    expect(byIntent[declined.id]).toMatchObject({ case: 'both_failed' });
    expect(byIntent[missed.id]).toMatchObject({
      case: 'kassa_failed_processor_succeeded',
      action: expect.stringContaining('Recorded'),
    });
    expect(byIntent[reverse.id]).toMatchObject({
      case: 'kassa_succeeded_processor_failed',
      action: expect.stringContaining('Investigate'),
    });
    expect(res.json.summary).toMatchObject({
      both_succeeded: 1,
      both_failed: 1,
      kassa_failed_processor_succeeded: 1,
      kassa_succeeded_processor_failed: 1,
    });

    // The fix: the missed success is recorded, with its event (and so its webhooks).
    expect((await g.call('GET', `/v1/payment_intents/${missed.id}`, g.a.sk)).json).toMatchObject({
      status: 'succeeded',
      amount_received: 1999,
    });
    expect((await g.events(missed.id)).at(-1)).toBe('payment_intent.succeeded');
    // The reverse is only reported.
    expect((await g.call('GET', `/v1/payment_intents/${reverse.id}`, g.a.sk)).json.status).toBe(
      'succeeded',
    );

    const csv = await g.app.request(res.json.csv_url, {
      headers: { authorization: `Bearer ${g.a.sk}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\n')[0]).toBe(
      'reference,processor,payment_intent,merchant,amount,currency,kassa_status,processor_status,case,action',
    );
    expect(text).toContain(`${missed.id}`);
    expect((await g.call('GET', `/v1/reconciliation_runs/${res.json.id}`, g.a.sk)).json.id).toBe(
      res.json.id,
    );
  });

  it('a run sees only its merchant’s payments, and refuses a bad date', async () => {
    const { g, day } = await setup();
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    const theirs = await g.call('POST', '/v1/reconciliation_runs', g.b.sk, { date: day });
    expect(theirs.json.rows).toEqual([]);
    expect((await g.call('GET', `/v1/reconciliation_runs/${theirs.json.id}`, g.a.sk)).status).toBe(
      404,
    );
    const bad = await g.call('POST', '/v1/reconciliation_runs', g.a.sk, { date: '21/11/2026' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('date');
  });

  it('runs once a day when scheduled', async () => {
    const { g } = await setup();
    g.config.reconcileDailyAt = '02:00';
    const pi = (await g.createIntent()).json;
    await g.confirm(pi, card(CARDS.ok));
    g.clock.advance(24 * 3_600_000);
    await g.worker.drain();
    await g.worker.drain();
    const date = new Date(g.clock.now() - 86_400_000).toISOString().slice(0, 10);
    const run = await g.store.read((tx) => tx.reconciliation.find(date, null));
    expect(run?.report).toMatchObject({ summary: { both_succeeded: 1 } });
  });
});

describe('the reconciliation CSV', () => {
  it('neutralises cells a spreadsheet would run as formulas (OWASP), keeping numbers as numbers', () => {
    const row = {
      reference: '=HYPERLINK("http://evil.example","x")',
      processor: '+sandbox',
      payment_intent: '-2+3',
      merchant: '@SUM(A1)',
      amount: -500,
      currency: 'USD',
      kassa_status: '\tsucceeded',
      processor_status: 'succeeded',
      case: 'both_succeeded' as const,
      action: 'None.',
    };
    const line = toCsv([row]).split('\n')[1] as string;
    expect(line).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")",'+sandbox,'-2+3,'@SUM(A1),-500,USD,'\tsucceeded,succeeded,both_succeeded,None.`,
    );
  });
});
