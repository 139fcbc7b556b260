import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Processor } from '@kassa/processors';
import { createSandboxProcessor } from '@kassa/processors';
import { afterAll, describe, expect, it } from 'vitest';
import { scrub } from '../logger.ts';
import { testGateway } from '../testing/harness.ts';

const PAN = '4242424242424242';
const AMEX = '378282246310005';
const AMEX_CVC = '8302';

/** Every file SQLite wrote: the database, its WAL and shared memory. */
function sqliteBytes(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');
}

describe('card numbers and CVCs are never stored or logged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-pan-'));
  afterAll(() => {});

  it('after card payments, declines, bad input and a processor error, neither the SQLite files nor the logs hold them', async () => {
    // A processor that fails with the card number in its error, as a careless SDK might.
    const sandbox = createSandboxProcessor();
    const leaky: Processor = {
      ...sandbox,
      id: 'sandbox',
      async authorize(req) {
        if (req.paymentMethod.type === 'card' && req.paymentMethod.card.number === AMEX) {
          throw new Error(
            `upstream refused card ${req.paymentMethod.card.number} cvc ${req.paymentMethod.card.cvc}`,
          );
        }
        return sandbox.authorize(req);
      },
    };
    const g = await testGateway({
      filename: join(dir, 'kassa.db'),
      processors: { sandbox: leaky },
    });
    const pay = async (number: string, cvc = '123', extra = {}) => {
      const pi = (await g.createIntent()).json;
      return g.confirm(pi, {
        type: 'card',
        card: { number, exp_month: 12, exp_year: 2031, cvc, ...extra },
      });
    };
    expect((await pay(PAN)).status).toBe(200);
    expect((await pay('4000 0000 0000 9995')).status).toBe(402);
    expect((await pay(AMEX, AMEX_CVC)).status).toBe(402); // the processor threw
    expect((await pay('4242424242424241')).status).toBe(402); // Luhn
    expect((await pay(PAN, '123', { exp_month: 'ab' })).status).toBe(400);
    expect((await pay(PAN, '123', { unexpected: PAN })).status).toBe(400);

    const logs = g.logLines.join('');
    expect(logs).toContain('processor authorize failed'); // the error was logged…
    for (const text of [logs, sqliteBytes(dir)]) {
      // …but scrubbed, like everything else.
      expect(text).not.toContain(PAN);
      expect(text).not.toContain('4242 4242 4242 4242');
      expect(text).not.toContain('4000 0000 0000 9995');
      expect(text).not.toContain('4000000000009995');
      expect(text).not.toContain(AMEX);
      expect(text).not.toContain(`cvc ${AMEX_CVC}`);
      expect(text).not.toMatch(/"cvc"\s*:/);
    }
    await g.store.close();
  });

  it('scrub masks card-shaped digit runs, grouped or not, and keeps the last four', () => {
    expect(scrub(`card ${PAN} ok`)).toBe('card [redacted card ····4242] ok');
    expect(scrub('4242 4242 4242 4242')).toBe('[redacted card ····4242]');
    expect(scrub('4242-4242-4242-4242')).toBe('[redacted card ····4242]');
    expect(scrub('order 12345 at 1700000000')).toBe('order 12345 at 1700000000');
  });

  it('scrub catches PANs with dots or underscores, or inside a word; leaves non-Luhn runs', () => {
    expect(scrub('/v1/payment_intents/x4917484589897107x')).toBe(
      '/v1/payment_intents/x[redacted card ····7107]x',
    );
    expect(scrub('4242.4242.4242.4242')).toBe('[redacted card ····4242]');
    expect(scrub('4242_4242_4242_4242')).toBe('[redacted card ····4242]');
    expect(scrub('ts 1700000000001')).toBe('ts 1700000000001');
  });
});
