import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createLedger } from '../ledger.ts';
import { kassaFormFixtures, testProcessor } from '../testing/index.ts';
import { SANDBOX_SIGNATURE_HEADER, signSandboxNotification } from './notifications.ts';
import { createSandboxProcessor } from './sandbox.ts';
import { TEST_CARDS } from './test-cards.ts';

let clock = 1_000_000;
const now = () => clock;
const card = (number: string) => ({
  type: 'card' as const,
  card: { number, exp_month: 12, exp_year: 2031, cvc: '123' },
});

testProcessor({
  name: 'sandbox',
  create: () => createSandboxProcessor({ now, asyncDelayMs: 1000, notificationSecret: 'suite' }),
  fixtures: kassaFormFixtures(
    {
      succeeds: card('4242424242424242'),
      declines: card('4000000000000002'),
      threeDSecure: card('4000002760003184'),
      settlesLater: card('4000000000001059'),
    },
    {
      settle: () => {
        clock += 1000;
      },
      async notify(_p, reference) {
        const id = `ntf_suite_${reference}`;
        const rawBody = JSON.stringify({ id, reference, outcome: { status: 'succeeded' } });
        const signature = signSandboxNotification(rawBody, 'suite', Math.floor(clock / 1000));
        return { id, rawBody, headers: { [SANDBOX_SIGNATURE_HEADER]: signature }, now: clock };
      },
    },
  ),
});

describe('sandbox test cards', () => {
  const sandbox = createSandboxProcessor({ now, asyncDelayMs: 1000 });
  let attempts = 0;
  const authorize = (number: string) =>
    sandbox.authorize({
      attemptId: `pa_x${++attempts}`,
      intentId: 'pi_x',
      amount: 100,
      currency: 'USD',
      captureMethod: 'automatic',
      paymentMethod: card(number),
    });

  it.each([
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000009987', 'lost_card'],
    ['4000000000009979', 'stolen_card'],
    ['4000000000000069', 'expired_card'],
    ['4000000000000127', 'incorrect_cvc'],
    ['4000000000000119', 'processing_error'],
  ])('%s declines with %s', async (number, code) => {
    const out = await authorize(number);
    expect(out).toMatchObject({ status: 'failed', declineCode: code });
  });

  it('documents every card it knows', () => {
    for (const c of Object.values(TEST_CARDS)) expect(c.description.length).toBeGreaterThan(3);
  });

  it('declines a card that is not a test card, and says which card to use', async () => {
    const out = await authorize('4111111111111111');
    expect(out).toMatchObject({ status: 'failed', declineCode: 'card_declined' });
    if (out.status === 'failed') expect(out.message).toContain('4242');
  });

  it('4000008260003178 asks for 3-D Secure, then declines for insufficient funds', async () => {
    const out = await authorize('4000008260003178');
    expect(out.status).toBe('requires_action');
    const after = await sandbox.continueAfterAction({
      reference: out.reference as string,
      amount: 100,
      currency: 'USD',
      result: 'approve',
    });
    expect(after).toMatchObject({ status: 'failed', declineCode: 'insufficient_funds' });
  });

  it('UPI: failure@kassa fails and any other address succeeds, after a moment', async () => {
    const upi = (vpa: string) =>
      sandbox.authorize({
        attemptId: `pa_u_${vpa}`,
        intentId: 'pi_u',
        amount: 100,
        currency: 'INR',
        captureMethod: 'automatic',
        paymentMethod: { type: 'upi', upi: { vpa } },
      });
    const ok = await upi('test@upi');
    const bad = await upi('failure@kassa');
    expect(ok.status).toBe('processing');
    expect(bad.status).toBe('processing');
    clock += 1000;
    const r = (o: { reference: string | null }) =>
      sandbox.retrieve({ reference: o.reference as string, amount: 100, currency: 'INR' });
    expect((await r(ok)).status).toBe('succeeded');
    expect(await r(bad)).toMatchObject({ status: 'failed', declineCode: 'upi_declined' });
  });

  it("UPI in the shopper's app: a upi://pay link with amount and reference, paid or declined in the test app, or withdrawn", async () => {
    const start = (n: string) =>
      sandbox.authorize({
        attemptId: `pa_app_${n}`,
        intentId: 'pi_app',
        amount: 2550,
        currency: 'INR',
        captureMethod: 'automatic',
        paymentMethod: { type: 'upi', upi: { flow: 'intent' } },
      });
    const paid = await start('paid');
    if (paid.status !== 'requires_action')
      throw new Error(`expected requires_action: ${paid.status}`);
    expect(paid.action.type).toBe('upi_intent');
    const link = new URL(paid.action.url ?? '');
    expect(link.protocol).toBe('upi:');
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      pa: 'sandbox@kassa',
      am: '25.50',
      cu: 'INR',
      tr: paid.reference,
    });
    expect(paid.action.testUrl).toBe(`/processors/sandbox/upi/${paid.reference}`);
    const money = { amount: 2550, currency: 'INR' };
    // Still waiting until the shopper pays.
    expect((await sandbox.retrieve({ reference: paid.reference, ...money })).status).toBe(
      'requires_action',
    );
    expect(
      await sandbox.continueAfterAction({ reference: paid.reference, ...money, result: 'approve' }),
    ).toMatchObject({ status: 'succeeded' });
    expect((await sandbox.retrieve({ reference: paid.reference, ...money })).status).toBe(
      'succeeded',
    );

    const declined = await start('declined');
    expect(
      await sandbox.continueAfterAction({
        reference: declined.reference as string,
        ...money,
        result: 'decline',
      }),
    ).toMatchObject({ status: 'failed', declineCode: 'upi_declined' });

    const left = await start('left');
    const ref = left.reference as string;
    expect(await sandbox.cancel({ reference: ref, ...money, operationId: 'op_left' })).toEqual({
      canceled: true,
    });
    expect(
      await sandbox.continueAfterAction({ reference: ref, ...money, result: 'approve' }),
    ).toMatchObject({ status: 'failed', declineCode: 'canceled' });
  });

  it('waits the configured latency before answering', async () => {
    const slow = createSandboxProcessor({ latencyMs: 60 });
    const t = performance.now();
    await slow.authorize({
      attemptId: 'pa_l',
      intentId: 'pi_l',
      amount: 1,
      currency: 'USD',
      captureMethod: 'automatic',
      paymentMethod: card('4242424242424242'),
    });
    expect(performance.now() - t).toBeGreaterThanOrEqual(55);
  });
});

describe('sandbox settlement report', () => {
  it('lists what it settled in a time range, never card data', async () => {
    let t = 5_000_000;
    const sb = createSandboxProcessor({ now: () => t });
    const pay = (number: string, amount: number) =>
      sb.authorize({
        attemptId: `pa_${number}_${amount}`,
        intentId: 'pi',
        amount,
        currency: 'EUR',
        captureMethod: 'automatic',
        paymentMethod: card(number),
      });
    const ok = await pay('4242424242424242', 1000);
    const no = await pay('4000000000000002', 2000);
    t += 10_000;
    await pay('4242424242424242', 3000);
    const report = await sb.settlementReport({ from: 5_000_000, to: 5_000_001 });
    expect(report).toEqual([
      {
        reference: ok.reference,
        amount: 1000,
        currency: 'EUR',
        status: 'succeeded',
        settled_at: 5_000_000,
      },
      {
        reference: no.reference,
        amount: 2000,
        currency: 'EUR',
        status: 'failed',
        settled_at: 5_000_000,
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('4242424242424242');
    await sb.injectDiscrepancy(no.reference as string, 'succeeded');
    expect(
      (await sb.settlementReport({ from: 0, to: 1e13 })).find((r) => r.reference === no.reference)
        ?.status,
    ).toBe('succeeded');
  });
});

describe('sandbox operations: money moves once per operation id', () => {
  const held = async (sandbox: ReturnType<typeof createSandboxProcessor>, id: string) => {
    const out = await sandbox.authorize({
      attemptId: id,
      intentId: 'pi_ops',
      amount: 5000,
      currency: 'USD',
      captureMethod: 'manual',
      paymentMethod: card('4242424242424242'),
    });
    expect(out.status).toBe('authorized');
    return { reference: out.reference as string, amount: 5000, currency: 'USD' };
  };

  it('books one refund however often the same refund is sent', async () => {
    const sandbox = createSandboxProcessor({ now });
    const ref = await held(sandbox, 'pa_ops1');
    await sandbox.capture({ ...ref, operationId: 'pi_ops_capture' });
    for (let i = 0; i < 3; i++) await sandbox.refund({ ...ref, amount: 100, operationId: 're_1' });
    await sandbox.refund({ ...ref, amount: 100, operationId: 're_2' });
    const kinds = sandbox.operations(ref.reference).map((o) => `${o.kind}:${o.op}`);
    expect(kinds).toEqual([
      'authorize:pa_ops1',
      'capture:pi_ops_capture',
      'refund:re_1',
      'refund:re_2',
    ]);
  });

  it('refuses to capture a released hold, and to release a captured one', async () => {
    const sandbox = createSandboxProcessor({ now });
    const a = await held(sandbox, 'pa_ops2');
    expect(await sandbox.cancel({ ...a, operationId: 'c1' })).toEqual({ canceled: true });
    const late = await sandbox.capture({ ...a, operationId: 'k1' });
    expect(late).toMatchObject({ status: 'failed', declineCode: 'authorization_released' });
    const b = await held(sandbox, 'pa_ops3');
    await sandbox.capture({ ...b, operationId: 'k2' });
    expect(await sandbox.cancel({ ...b, operationId: 'c2' })).toEqual({ canceled: false });
  });

  it('keeps one set of books for every process given the same ledger file, and after a restart', async () => {
    const ledgerFile = join(mkdtempSync(join(tmpdir(), 'kassa-ledger-')), 'ledger.db');
    // A gateway process and a worker process, each with its own sandbox over one file.
    const gateway = createSandboxProcessor({ now, ledgerFile });
    const worker = createSandboxProcessor({ now, ledgerFile });
    const ref = await held(gateway, 'pa_ops4');
    await gateway.capture({ ...ref, operationId: 'k4' });
    // The worker retries the same refund the gateway sent before it died: booked once.
    await gateway.refund({ ...ref, amount: 100, operationId: 're_4' });
    await worker.refund({ ...ref, amount: 100, operationId: 're_4' });
    // A released hold is released for the other process too.
    expect(await worker.cancel({ ...ref, operationId: 'c4' })).toEqual({ canceled: false });
    const books = (s: typeof gateway) =>
      s.operations(ref.reference).map((o) => `${o.kind}:${o.op}`);
    const expected = ['authorize:pa_ops4', 'capture:k4', 'refund:re_4', 'cancel:c4'];
    expect(books(gateway)).toEqual(expected);
    expect(books(worker)).toEqual(expected);
    expect(await worker.settlementReport({ from: 0, to: clock + 1 })).toEqual(
      await gateway.settlementReport({ from: 0, to: clock + 1 }),
    );
    expect(books(createSandboxProcessor({ now, ledgerFile }))).toEqual(expected);
  });

  it('takes in the books an earlier version kept as JSON lines, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-'));
    const reference = 'sbx_WyJzdWNjZWVkIiwwLDFd.abcdefgh';
    const lines = [
      {
        op: 'pa_old',
        kind: 'authorize',
        reference,
        amount: 500,
        currency: 'usd',
        result: { status: 'started', reference },
        at: 10,
      },
      { reference, amount: 500, currency: 'usd', status: 'succeeded', settled_at: 20 },
    ];
    writeFileSync(join(dir, 'ledger.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const sandbox = createSandboxProcessor({ now, ledgerFile: join(dir, 'ledger.db') });
    expect(sandbox.operations(reference).map((o) => `${o.kind}:${o.op}`)).toEqual([
      'authorize:pa_old',
    ]);
    expect(await sandbox.settlementReport({ from: 0, to: 100 })).toEqual([lines[1]]);
    expect(existsSync(join(dir, 'ledger.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'ledger.jsonl.imported'))).toBe(true);
    // A second process opening the same books finds them there, not imported twice.
    const again = createSandboxProcessor({ now, ledgerFile: join(dir, 'ledger.db') });
    expect(again.operations(reference)).toHaveLength(1);
  });
});

describe('the books under load', () => {
  const settlement = (reference: string, amount: number) => ({
    reference,
    amount,
    currency: 'usd',
    status: 'succeeded' as const,
    settled_at: 1,
  });

  it('commits the bookings of one turn together, each heard after the commit, a bad one failing alone', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kassa-ledger-')), 'ledger.db');
    const ledger = createLedger(file);
    // Another process's view of the same file.
    const other = new Database(file, { readonly: true });
    const committed = () =>
      (other.prepare('SELECT count(*) AS n FROM settlements').get() as { n: number }).n;
    const good = [1, 2, 3, 4, 5].map((i) => ledger.record(settlement(`r${i}`, i)));
    const bad = ledger.record({ ...settlement('r_bad', 1), amount: null as unknown as number });
    // This process reads its bookings at once; nothing is committed before the turn ends.
    expect(ledger.settled('r3')?.amount).toBe(3);
    expect(committed()).toBe(0);
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await Promise.all(good);
    expect(committed()).toBe(5);
    other.close();
  });

  describe('shared with another process', () => {
    /** Books one settlement in `file` from a process of its own, as a second gateway would. */
    const bookElsewhere = (file: string) => {
      const ledger = new URL('../ledger.ts', import.meta.url).href;
      const script = `import { createLedger } from ${JSON.stringify(ledger)};
        await createLedger(${JSON.stringify(file)}).record(${JSON.stringify(settlement('r_theirs', 1))});`;
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        },
      );
      expect(run.status, run.stderr).toBe(0);
    };
    const open = () => {
      const file = join(mkdtempSync(join(tmpdir(), 'kassa-ledger-')), 'ledger.db');
      bookElsewhere(file);
      const other = new Database(file);
      const committed = () =>
        (other.prepare('SELECT count(*) AS n FROM settlements').get() as { n: number }).n;
      return { ledger: createLedger(file), other, committed };
    };

    it('commits each booking at once while another process books in the file', async () => {
      const { ledger, other, committed } = open();
      const mine = ledger.record(settlement('r_mine', 2));
      // Before this turn ends: committed, and the file's write lock free for the other.
      expect(committed()).toBe(2);
      other.pragma('busy_timeout = 0');
      other.exec('BEGIN IMMEDIATE; ROLLBACK');
      await mine;
      other.close();
    });

    it('groups again once the other process has not booked for a while', async () => {
      const { ledger, other, committed } = open();
      other.prepare('UPDATE bookers SET at = at - 60000').run();
      const mine = ledger.record(settlement('r_mine', 2));
      expect(committed()).toBe(1);
      await mine;
      expect(committed()).toBe(2);
      other.close();
    });
  });

  it('answers one payment for the same attempt authorised twice at once', async () => {
    const ledgerFile = join(mkdtempSync(join(tmpdir(), 'kassa-ledger-')), 'ledger.db');
    const sandbox = createSandboxProcessor({ now, ledgerFile });
    const authorize = () =>
      sandbox.authorize({
        attemptId: 'pa_twice',
        intentId: 'pi_twice',
        amount: 700,
        currency: 'USD',
        captureMethod: 'automatic',
        paymentMethod: card('4242424242424242'),
      });
    const [a, b] = await Promise.all([authorize(), authorize()]);
    expect(a.reference).toBe(b.reference);
    expect(sandbox.operations(a.reference as string)).toHaveLength(1);
  });

  it('lets two sandboxes of one process over one file book in the same turn', async () => {
    const ledgerFile = join(mkdtempSync(join(tmpdir(), 'kassa-ledger-')), 'ledger.db');
    const gateway = createSandboxProcessor({ now, ledgerFile });
    const worker = createSandboxProcessor({ now, ledgerFile });
    const out = await Promise.all(
      [gateway, worker, gateway, worker].map((s, i) =>
        s.authorize({
          attemptId: `pa_turn${i}`,
          intentId: 'pi_turn',
          amount: 700,
          currency: 'USD',
          captureMethod: 'automatic',
          paymentMethod: card('4242424242424242'),
        }),
      ),
    );
    expect(out.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });
});
