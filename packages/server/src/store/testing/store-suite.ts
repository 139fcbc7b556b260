import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AttemptRow,
  IdempotencyRow,
  IntentListFilter,
  IntentRow,
  JobRow,
  RefundRow,
  Store,
} from '../types.ts';

/**
 * One suite every store passes (in the spirit of drizzle's common SQLite suite and
 * unstorage's `testDriver`): the contract in `types.ts`, including the races two
 * gateway processes run into. `connect` opens a second connection to the same database
 * (another process's view); a store that has one connection only (SQLite in memory)
 * passes the store itself, and its races are then ordered by that connection.
 *
 * @example
 * testStore({ name: 'sqlite', create: async () => createSqliteStore({ filename: ':memory:' }) });
 */
export function testStore(opts: {
  name: string;
  create: () => Promise<Store>;
  connect?: (store: Store) => Promise<Store>;
  /** Whether a commit in one connection wakes the other's workers (LISTEN/NOTIFY). */
  wakesOtherConnections?: boolean;
}) {
  describe(`store contract: ${opts.name}`, () => {
    let a: Store;
    let b: Store;
    const extra: Store[] = [];

    beforeEach(async () => {
      a = await opts.create();
      b = opts.connect ? await opts.connect(a) : a;
      if (b !== a) extra.push(b);
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await a.close();
    });

    let n = 0;
    const merchantId = 'mer_suite';
    const seed = async (store: Store) =>
      store.transaction(async (tx) => {
        if (await tx.getMerchant(merchantId)) return;
        await tx.insertMerchant({
          id: merchantId,
          name: 'Suite Shop',
          allowedOrigins: ['https://shop.test'],
          createdAt: 1,
        });
      });
    const intent = (over: Partial<IntentRow> = {}): IntentRow => {
      n++;
      return {
        id: `pi_suite_${String(n).padStart(5, '0')}`,
        merchantId,
        livemode: false,
        amount: 10_000,
        currency: 'INR',
        status: 'requires_payment_method',
        orderId: `order_${n}`,
        description: null,
        customer: { email: 'a@b.test' },
        metadata: { cart: '7' },
        captureMethod: 'automatic',
        paymentMethodTypes: ['card', 'upi'],
        clientSecret: `secret_${n}`,
        returnUrl: null,
        processor: 'sandbox',
        amountCapturable: 0,
        amountReceived: 0,
        amountRefunded: 0,
        lastPaymentError: null,
        nextAction: null,
        latestAttemptId: null,
        failedAttempts: 0,
        operation: null,
        cancellationReason: null,
        canceledAt: null,
        expiresAt: 10_000_000,
        createdAt: 1_000 + n,
        updatedAt: 1_000 + n,
        ...over,
      };
    };
    const job = (key: string | null, runAt: number, over: Partial<JobRow> = {}): JobRow => {
      n++;
      return {
        id: `job_${String(n).padStart(6, '0')}`,
        kind: 'webhook.deliver',
        merchantId: null,
        concurrencyKey: key,
        payload: { n },
        status: 'queued',
        runAt,
        attempts: 0,
        lockedUntil: null,
        lastError: null,
        createdAt: runAt,
        updatedAt: runAt,
        ...over,
      };
    };
    const refundOf = (of: IntentRow, over: Partial<RefundRow> = {}): RefundRow => ({
      id: 're_suite',
      merchantId: of.merchantId,
      livemode: of.livemode,
      intentId: of.id,
      amount: 100,
      currency: of.currency,
      status: 'pending',
      reason: null,
      failureReason: null,
      processorReference: null,
      metadata: {},
      createdAt: 1,
      updatedAt: 1,
      ...over,
    });
    const attemptOf = (of: IntentRow, over: Partial<AttemptRow> = {}): AttemptRow => ({
      id: 'pa_suite',
      intentId: of.id,
      merchantId: of.merchantId,
      status: 'succeeded',
      methodType: 'card',
      cardBrand: null,
      cardLast4: null,
      cardExpMonth: null,
      cardExpYear: null,
      cardFingerprint: null,
      upiVpa: null,
      clientKey: 'ck_1',
      processor: 'sandbox',
      processorReference: null,
      declineCode: null,
      failureMessage: null,
      createdAt: 1,
      updatedAt: 1,
      ...over,
    });
    const addJobs = (store: Store, jobs: JobRow[]) =>
      store.transaction(async (tx) => {
        for (const j of jobs) await tx.enqueueJob(j);
      });
    const paid = async (amount = 10_000) => {
      await seed(a);
      const row = intent({ status: 'succeeded', amount, amountReceived: amount });
      await a.transaction((tx) => tx.insertIntent(row));
      return row;
    };

    describe('rows', () => {
      it('keeps every field as written: JSON, booleans, nulls and amounts past 2^31', async () => {
        await seed(a);
        const row = intent({ amount: 5_000_000_000, livemode: true, expiresAt: 2 ** 45 });
        expect(await a.transaction((tx) => tx.insertIntent(row))).toBe(true);
        expect(await b.read((tx) => tx.getIntent(row.id))).toEqual(row);
        expect(await a.read((tx) => tx.getIntent('pi_missing'))).toBeNull();
      });

      it("reads by id within an owner's scope: another merchant's or mode's row is not found", async () => {
        await seed(a);
        const row = intent({ livemode: true });
        await a.transaction((tx) => tx.insertIntent(row));
        const refund = refundOf(row, { id: 're_scope' });
        await a.transaction((tx) => tx.insertRefund(refund));
        const owner = { merchantId, livemode: true };
        for (const other of [
          { merchantId: 'mer_other', livemode: true },
          { merchantId, livemode: false },
        ]) {
          expect(await b.read((tx) => tx.getIntent(row.id, other))).toBeNull();
          expect(await b.transaction((tx) => tx.getIntent(row.id, other))).toBeNull();
          expect(await b.read((tx) => tx.getRefund(refund.id, other))).toBeNull();
        }
        expect(await b.read((tx) => tx.getIntent(row.id, owner))).toEqual(row);
        expect(await b.transaction((tx) => tx.getIntent(row.id, owner))).toEqual(row);
        expect(await b.read((tx) => tx.getRefund(refund.id, owner))).toEqual(refund);
      });

      it("changes a merchant's name and origins; counts declines, not attempts the shopper left", async () => {
        await seed(a);
        await a.transaction((tx) =>
          tx.updateMerchant(merchantId, { name: 'Renamed', allowedOrigins: ['http://x.test'] }),
        );
        expect(await b.read((tx) => tx.getMerchant(merchantId))).toMatchObject({
          name: 'Renamed',
          allowedOrigins: ['http://x.test'],
        });
        const row = intent();
        await a.transaction((tx) => tx.insertIntent(row));
        const attempt = (id: string, status: AttemptRow['status'], declineCode: string | null) =>
          attemptOf(row, { id, status, declineCode });
        await a.transaction(async (tx) => {
          await tx.insertAttempt(attempt('pa_declined', 'failed', 'insufficient_funds'));
          await tx.insertAttempt(attempt('pa_left', 'failed', 'abandoned'));
          await tx.insertAttempt(attempt('pa_failed', 'failed', null));
          await tx.insertAttempt(attempt('pa_paid', 'succeeded', null));
        });
        expect(await b.read((tx) => tx.countFailedAttempts(row.id, 'ck_1'))).toBe(2);
      });

      it('lists newest first in pages that neither skip nor repeat a row', async () => {
        await seed(a);
        const rows = Array.from({ length: 7 }, () => intent({ createdAt: 5_000 }));
        await a.transaction(async (tx) => {
          for (const r of rows) await tx.insertIntent(r);
        });
        const seen: string[] = [];
        let after: { createdAt: number; id: string } | undefined;
        for (;;) {
          const page = await a.read((tx) =>
            tx.listIntents({ merchantId, livemode: false, limit: 3, after }),
          );
          if (page.length === 0) break;
          seen.push(...page.map((r) => r.id));
          const last = page[page.length - 1] as IntentRow;
          after = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(rows.map((r) => r.id).reverse());
        const before = await a.read((tx) =>
          tx.listIntents({
            merchantId,
            livemode: false,
            limit: 2,
            before: { createdAt: 5_000, id: rows[2]?.id as string },
          }),
        );
        expect(before.map((r) => r.id)).toEqual([rows[4]?.id, rows[3]?.id]);
      });

      it("filters a list by the latest attempt's method, currency and amount", async () => {
        await seed(a);
        const rows = [
          intent({ amount: 500, latestAttemptId: 'pa_f1' }),
          intent({ amount: 2_000, latestAttemptId: 'pa_f2' }),
          intent({ amount: 2_000, currency: 'USD', latestAttemptId: 'pa_f3' }),
          intent({ amount: 9_000, latestAttemptId: 'pa_f4' }),
          intent({ amount: 2_500 }),
        ];
        await a.transaction(async (tx) => {
          for (const r of rows) await tx.insertIntent(r);
          const method = ['card', 'upi', 'upi', 'card'] as const;
          for (const [i, r] of rows.slice(0, 4).entries()) {
            // The first intent was tried by UPI before its card: only the latest counts.
            if (i === 0) {
              await tx.insertAttempt(attemptOf(r, { id: 'pa_f0', methodType: 'upi' }));
            }
            await tx.insertAttempt(
              attemptOf(r, { id: `pa_f${i + 1}`, methodType: method[i] as 'card' }),
            );
          }
        });
        const ids = async (f: Partial<IntentListFilter>) =>
          (await b.read((tx) => tx.listIntents({ merchantId, livemode: false, limit: 10, ...f })))
            .map((r) => r.id)
            .reverse();
        const id = (i: number) => rows[i]?.id;
        expect(await ids({ methodType: 'upi' })).toEqual([id(1), id(2)]);
        expect(await ids({ methodType: 'card' })).toEqual([id(0), id(3)]);
        expect(await ids({ amountGte: 2_000, amountLte: 2_500 })).toEqual([id(1), id(2), id(4)]);
        expect(await ids({ currency: 'USD' })).toEqual([id(2)]);
        expect(await ids({ methodType: 'upi', currency: 'INR', amountGte: 1_000 })).toEqual([
          id(1),
        ]);
        expect(await ids({ amountGte: 9_001 })).toEqual([]);
      });

      it('keeps dashboard users (one per email) and ends sessions when idle, expired or signed out', async () => {
        await seed(a);
        const user = {
          id: 'usr_suite',
          merchantId,
          email: 'owner@shop.test',
          passwordHash: 'scrypt$hash',
          role: 'owner' as const,
          mustChangePassword: true,
          createdAt: 1,
        };
        expect(await a.transaction((tx) => tx.insertDashboardUser(user))).toBe(true);
        expect(
          await b.transaction((tx) => tx.insertDashboardUser({ ...user, id: 'usr_other' })),
        ).toBe(false);
        expect(await b.read((tx) => tx.findDashboardUserByEmail('owner@shop.test'))).toEqual(user);
        expect(await b.read((tx) => tx.getDashboardUser('usr_other'))).toBeNull();
        // Two password changes from the same old password at once: one wins.
        const changed = await Promise.all(
          [a, b].map((store, i) =>
            store.transaction((tx) =>
              tx.changeDashboardPassword(user.id, 'scrypt$hash', `scrypt$new${i}`),
            ),
          ),
        );
        expect(changed.filter(Boolean)).toHaveLength(1);
        expect(await a.read((tx) => tx.getDashboardUser(user.id))).toMatchObject({
          passwordHash: `scrypt$new${changed.indexOf(true)}`,
          mustChangePassword: false,
        });
        const session = (id: string) => ({
          id,
          userId: user.id,
          csrfToken: `csrf_${id}`,
          createdAt: 100,
          lastSeenAt: 100,
          expiresAt: 1_000,
        });
        await a.transaction(async (tx) => {
          await tx.insertDashboardSession(session('s1'));
          await tx.insertDashboardSession(session('s2'));
        });
        expect(await b.read((tx) => tx.getDashboardSession('s1'))).toEqual(session('s1'));
        // Used within the idle window: alive, and marked used.
        expect(await b.transaction((tx) => tx.touchDashboardSession('s1', 200, 90))).toBe(true);
        expect((await a.read((tx) => tx.getDashboardSession('s1')))?.lastSeenAt).toBe(200);
        // Idle too long, or past its absolute end: not alive, nothing written.
        expect(await a.transaction((tx) => tx.touchDashboardSession('s2', 300, 150))).toBe(false);
        expect(await a.transaction((tx) => tx.touchDashboardSession('s1', 1_000, 150))).toBe(false);
        expect((await a.read((tx) => tx.getDashboardSession('s1')))?.lastSeenAt).toBe(200);
        // Sessions over (idle since before 150, or past their end) are swept.
        expect(
          await a.transaction((tx) => tx.deleteDashboardSessions({ now: 300, idleSince: 150 })),
        ).toBe(1);
        expect(await a.read((tx) => tx.getDashboardSession('s2'))).toBeNull();
        expect(await a.transaction((tx) => tx.deleteDashboardSessions({ id: 's1' }))).toBe(1);
        await a.transaction((tx) => tx.insertDashboardSession(session('s3')));
        expect(await b.transaction((tx) => tx.deleteDashboardSessions({ userId: user.id }))).toBe(
          1,
        );
        expect(await a.read((tx) => tx.getDashboardSession('s3'))).toBeNull();
      });

      it('keeps the overview exact through later changes and folds, two folds at once included', async () => {
        await seed(a);
        const hour = 3_600_000;
        const rows = Array.from({ length: 40 }, (_, i) =>
          intent({
            createdAt: 100 * hour + i * 997_000,
            currency: i % 5 ? 'INR' : 'USD',
            livemode: i % 7 === 0,
            status: i % 3 ? 'requires_payment_method' : 'succeeded',
            amountReceived: i % 3 ? 0 : 100 + i,
          }),
        );
        // One on the first millisecond of an hour, the last of a range that ends there.
        rows.push(intent({ createdAt: 104 * hour, status: 'succeeded', amountReceived: 7 }));
        const attempts = rows
          .filter((_, i) => i % 2 === 0)
          .map((r, i) =>
            attemptOf(r, {
              id: `pa_roll${i}`,
              createdAt: r.createdAt + 1_000,
              methodType: i % 3 ? 'card' : 'upi',
              status: i % 4 ? 'failed' : 'succeeded',
              declineCode: i % 4 ? 'insufficient_funds' : null,
            }),
          );
        await b.transaction(async (tx) => {
          for (const r of rows) await tx.insertIntent(r);
          for (const at of attempts) await tx.insertAttempt(at);
        });
        // What the rows themselves say, to hold the store's figures to.
        const truth = (f: { from: number; to: number; bucketMs: number; livemode: boolean }) => {
          const intents = new Map<
            string,
            { bucket: number; currency: string; count: number; succeeded: number; volume: number }
          >();
          for (const r of rows) {
            if (r.livemode !== f.livemode || r.createdAt < f.from || r.createdAt > f.to) continue;
            const bucket = r.createdAt - (r.createdAt % f.bucketMs);
            const k = `${bucket}|${r.currency}`;
            const g = intents.get(k) ?? {
              bucket,
              currency: r.currency,
              count: 0,
              succeeded: 0,
              volume: 0,
            };
            g.count++;
            g.succeeded += r.status === 'succeeded' ? 1 : 0;
            g.volume += r.amountReceived;
            intents.set(k, g);
          }
          const byOutcome = new Map<
            string,
            { status: string; method: string; declineCode: string | null; count: number }
          >();
          for (const at of attempts) {
            const of = rows.find((r) => r.id === at.intentId) as IntentRow;
            if (of.livemode !== f.livemode || at.createdAt < f.from || at.createdAt > f.to)
              continue;
            const k = `${at.status}|${at.methodType}|${at.declineCode}`;
            const g = byOutcome.get(k) ?? {
              status: at.status,
              method: at.methodType,
              declineCode: at.declineCode,
              count: 0,
            };
            g.count++;
            byOutcome.set(k, g);
          }
          return { intents: [...intents.values()], attempts: [...byOutcome.values()] };
        };
        const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
        const ranges = [
          { from: 100 * hour, to: 112 * hour - 1, bucketMs: hour, livemode: false },
          // Parts of an hour at both ends, from the rows; the hours between from the rollup.
          { from: 100 * hour + 1_234, to: 108 * hour + 5_678, bucketMs: hour, livemode: false },
          { from: 0, to: 240 * hour, bucketMs: 24 * hour, livemode: false },
          { from: 100 * hour, to: 104 * hour, bucketMs: hour, livemode: false },
          { from: 101 * hour + 17, to: 111 * hour, bucketMs: hour, livemode: true },
          // No whole hour inside: all from the rows.
          { from: 100 * hour + 10, to: 100 * hour + 2_500_000, bucketMs: hour, livemode: false },
        ];
        const check = async (stage: string) => {
          for (const f of ranges) {
            const got = await a.read((tx) =>
              tx.overview({ merchantId, maxWebhookAttempts: 10, ...f }),
            );
            const want = truth(f);
            expect(sorted(got.intents), `${stage} intents ${JSON.stringify(f)}`).toEqual(
              sorted(want.intents),
            );
            expect(sorted(got.attempts), `${stage} attempts ${JSON.stringify(f)}`).toEqual(
              sorted(want.attempts),
            );
          }
        };
        await check('unfolded');
        expect(await a.transaction((tx) => tx.foldStats(7))).toBe(7);
        await check('partly folded');
        // Later changes: payments succeed (and are captured for less), attempts settle.
        for (const [i, r] of rows.entries()) {
          if (i % 4 !== 1) continue;
          const patch = { status: 'succeeded' as const, amountReceived: 50 + i };
          expect(await b.transaction((tx) => tx.updateIntent(r.id, r.status, patch))).toBe(true);
          Object.assign(r, patch);
        }
        for (const at of attempts.filter((_, i) => i % 4 === 1)) {
          const patch = { status: 'succeeded' as const, declineCode: null };
          await b.transaction((tx) => tx.updateAttempt(at.id, patch));
          Object.assign(at, patch);
        }
        await check('changed');
        // Two folds at once take different changes, and fold each once.
        const folded = await Promise.all(
          [a, b].map((store) => store.transaction((tx) => tx.foldStats(25))),
        );
        expect(folded.every((n) => n > 0)).toBe(true);
        await check('two folds');
        while ((await a.transaction((tx) => tx.foldStats(1_000))) > 0);
        await check('folded');
        expect(await b.transaction((tx) => tx.foldStats(1_000))).toBe(0);
      });

      it("sums a merchant's intents per bucket and currency and its attempts by outcome, of one mode", async () => {
        await seed(a);
        const hour = 3_600_000;
        const rows = [
          intent({ createdAt: 10 * hour + 5, status: 'succeeded', amountReceived: 1000 }),
          intent({ createdAt: 10 * hour + 9, status: 'requires_payment_method' }),
          intent({ createdAt: 12 * hour, status: 'succeeded', amountReceived: 500 }),
          intent({
            createdAt: 12 * hour + 1,
            status: 'succeeded',
            amountReceived: 700,
            livemode: true,
          }),
          intent({ createdAt: 30 * hour, status: 'succeeded', amountReceived: 9 }),
        ];
        await a.transaction(async (tx) => {
          for (const r of rows) await tx.insertIntent(r);
        });
        const got = await b.read((tx) =>
          tx.overview({
            merchantId,
            livemode: false,
            from: 10 * hour,
            to: 13 * hour,
            bucketMs: hour,
            maxWebhookAttempts: 10,
          }),
        );
        const currency = rows[0]?.currency;
        expect(got.intents).toEqual([
          { bucket: 10 * hour, currency, count: 2, succeeded: 1, volume: 1000 },
          { bucket: 12 * hour, currency, count: 1, succeeded: 1, volume: 500 },
        ]);
        expect(got.attempts).toEqual([]);
        expect(got.webhooks).toEqual([]);
      });

      it("lists a merchant's keys newest first, and ends one once (a second roll loses)", async () => {
        await seed(a);
        const key = (id: string, createdAt: number) => ({
          id,
          merchantId,
          livemode: false,
          kind: 'secret' as const,
          publishableKey: null,
          secretHash: `hash_${id}`,
          last4: id.slice(-4),
          createdAt,
          revokedAt: null,
        });
        await a.transaction(async (tx) => {
          await tx.insertApiKey(key('key_old1', 10));
          await tx.insertApiKey(key('key_new2', 20));
        });
        const ids = (await b.read((tx) => tx.listApiKeys(merchantId, false))).map((k) => k.id);
        expect(ids.indexOf('key_new2')).toBeLessThan(ids.indexOf('key_old1'));
        expect(await b.read((tx) => tx.listApiKeys(merchantId, true))).not.toContainEqual(
          expect.objectContaining({ id: 'key_old1' }),
        );
        expect(await a.transaction((tx) => tx.revokeApiKey('key_old1', 500))).toBe(true);
        expect(await b.transaction((tx) => tx.revokeApiKey('key_old1', 900))).toBe(false);
        expect((await b.read((tx) => tx.findKeyBySecretHash('hash_key_old1')))?.revokedAt).toBe(
          500,
        );
        // Expiring brings the end forward, never back.
        expect(await a.transaction((tx) => tx.expireApiKey('key_old1', 900))).toBe(false);
        expect(await a.transaction((tx) => tx.expireApiKey('key_old1', 300))).toBe(true);
        expect(await b.transaction((tx) => tx.expireApiKey('key_new2', 400))).toBe(true);
        const ends = await b.read(async (tx) => [
          (await tx.findKeyBySecretHash('hash_key_old1'))?.revokedAt,
          (await tx.findKeyBySecretHash('hash_key_new2'))?.revokedAt,
        ]);
        expect(ends).toEqual([300, 400]);
      });

      it("counts jobs by kind and status, one merchant's or every one", async () => {
        await seed(a);
        await addJobs(a, [
          job(null, 50, { merchantId }),
          job(null, 40, { merchantId, attempts: 2 }),
          job(null, 30),
          job(null, 60, { kind: 'refund.process', merchantId: 'mer_other' }),
        ]);
        const own = await b.read((tx) => tx.jobStats(merchantId));
        expect(own).toEqual([
          { kind: 'webhook.deliver', status: 'queued', retrying: 1, count: 2, oldest: 40 },
        ]);
        const all = await b.read((tx) => tx.jobStats(null));
        expect(
          all
            .map((r) => ({ ...r, oldest: Number(r.oldest) }))
            .sort((x, y) => x.kind.localeCompare(y.kind)),
        ).toEqual([
          { kind: 'refund.process', status: 'queued', retrying: 0, count: 1, oldest: 60 },
          { kind: 'webhook.deliver', status: 'queued', retrying: 1, count: 3, oldest: 30 },
        ]);
      });

      it('writes nothing when the transaction throws', async () => {
        await seed(a);
        const row = intent();
        await expect(
          a.transaction(async (tx) => {
            await tx.insertIntent(row);
            await tx.enqueueJob(job(null, 1));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await a.read((tx) => tx.getIntent(row.id))).toBeNull();
        expect(await a.transaction((tx) => tx.claimJobs(10, 10, 100, { perKey: 8 }))).toEqual([]);
      });
    });

    describe('the rules kept for the caller', () => {
      it('refuses, at once, a store call made inside a transaction', async () => {
        await expect(a.transaction(async () => a.read((tx) => tx.getSetting('x')))).rejects.toThrow(
          /inside a transaction/,
        );
        await expect(a.read(async () => a.transaction((tx) => tx.getSetting('x')))).rejects.toThrow(
          /inside a read/,
        );
        // The store still works afterwards.
        expect(await a.read((tx) => tx.getSetting('x'))).toBeNull();
      });

      it('gives a read no way to write', async () => {
        const methods = await a.read(async (tx) => tx as unknown as Record<string, unknown>);
        expect(methods.getIntent).toBeTypeOf('function');
        expect(methods.insertIntent).toBeUndefined();
        expect(methods.claimJobs).toBeUndefined();
      });

      it('claims a once-only setting once', async () => {
        const got = await Promise.all(
          [a, b, a, b].map((s, i) => s.transaction((tx) => tx.claimSetting('daily:x', `r${i}`))),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const winner = got.indexOf(true);
        expect(await a.read((tx) => tx.getSetting('daily:x'))).toBe(`r${winner}`);
      });
    });

    describe('races two processes run into', () => {
      it('one intent per order: the same order_id created at once', async () => {
        await seed(a);
        const rows = [a, b, a, b, a, b].map(() => intent({ orderId: 'order_race' }));
        const got = await Promise.all(
          rows.map((r, i) => (i % 2 ? b : a).transaction((tx) => tx.insertIntent(r))),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const live = await a.read((tx) =>
          tx.findLiveIntentByOrder(merchantId, false, 'order_race'),
        );
        expect(live?.id).toBe(rows[got.indexOf(true)]?.id);
      });

      it('one holder per Idempotency-Key: the same key claimed at once', async () => {
        const key = (token: string): IdempotencyRow => ({
          merchantId: 'mer_suite:test:secret',
          key: 'idem-race',
          requestHash: 'h',
          status: 'running',
          responseStatus: null,
          responseBody: null,
          token,
          lockedUntil: 100,
          objectId: null,
          createdAt: 1,
          expiresAt: 1_000,
        });
        const got = await Promise.all(
          ['t1', 't2', 't3', 't4'].map((t, i) =>
            (i % 2 ? b : a).transaction((tx) => tx.claimIdempotency(key(t))),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const holder = `t${got.indexOf(true) + 1}`;
        expect(
          (await a.read((tx) => tx.getIdempotency('mer_suite:test:secret', 'idem-race')))?.token,
        ).toBe(holder);
        // Only the holder's token moves it on.
        expect(
          await b.transaction((tx) =>
            tx.updateIdempotencyHeld('mer_suite:test:secret', 'idem-race', 'someone', {
              lockedUntil: 0,
            }),
          ),
        ).toBe(false);
        expect(
          await b.transaction((tx) =>
            tx.bindIdempotency('mer_suite:test:secret', 'idem-race', holder, 'pi_x'),
          ),
        ).toBe(true);
      });

      it('concurrent confirms of one intent: one moves it, the other finds it moved', async () => {
        await seed(a);
        const row = intent();
        await a.transaction((tx) => tx.insertIntent(row));
        const got = await Promise.all(
          ['att_1', 'att_2', 'att_3', 'att_4'].map((att, i) =>
            (i % 2 ? b : a).transaction((tx) =>
              tx.updateIntent(row.id, 'requires_payment_method', {
                status: 'processing',
                latestAttemptId: att,
                updatedAt: 2_000,
              }),
            ),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const now = await a.read((tx) => tx.getIntent(row.id));
        expect(now?.status).toBe('processing');
        expect(now?.latestAttemptId).toBe(`att_${got.indexOf(true) + 1}`);
      });

      it('capture and cancel at once: exactly one holds the payment', async () => {
        await seed(a);
        const row = intent({ status: 'requires_capture', amountCapturable: 10_000 });
        await a.transaction((tx) => tx.insertIntent(row));
        const [capture, cancel] = await Promise.all([
          a.transaction((tx) => tx.claimIntentOperation(row.id, 'capture', 'requires_capture', 5)),
          b.transaction((tx) => tx.claimIntentOperation(row.id, 'cancel', 'requires_capture', 5)),
        ]);
        expect([capture, cancel].filter(Boolean)).toHaveLength(1);
        const op = capture ? 'capture' : 'cancel';
        expect((await a.read((tx) => tx.getIntent(row.id)))?.operation).toBe(op);
        // The same operation resumes (a retry after a crash); the other stays out.
        expect(
          await b.transaction((tx) => tx.claimIntentOperation(row.id, op, 'requires_capture', 6)),
        ).toBe(true);
        await a.transaction((tx) => tx.releaseIntentOperation(row.id, op));
        expect((await a.read((tx) => tx.getIntent(row.id)))?.operation).toBeNull();
      });

      it('refunds racing never exceed what was paid', async () => {
        const row = await paid(10_000);
        const got = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? b : a).transaction((tx) => tx.reserveRefund(row.id, 3_000, 9)),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(3);
        const now = await a.read((tx) => tx.getIntent(row.id));
        expect(now?.amountRefunded).toBe(9_000);
        // A refund that failed gives its amount back; never below zero.
        await a.transaction((tx) => tx.returnRefund(row.id, 3_000, 10));
        await a.transaction((tx) => tx.returnRefund(row.id, 50_000, 11));
        expect((await a.read((tx) => tx.getIntent(row.id)))?.amountRefunded).toBe(0);
        // Only a succeeded payment can be refunded at all.
        await seed(a);
        const open = intent();
        await a.transaction((tx) => tx.insertIntent(open));
        expect(await a.transaction((tx) => tx.reserveRefund(open.id, 1, 12))).toBeNull();
      });

      it('a refund is settled once, by whichever of the webhook and the job comes first', async () => {
        const row = await paid();
        const refund = refundOf(row, { id: 're_suite' });
        await a.transaction((tx) => tx.insertRefund(refund));
        const got = await Promise.all([
          a.transaction((tx) => tx.updateRefund(refund.id, 'pending', { status: 'succeeded' })),
          b.transaction((tx) => tx.updateRefund(refund.id, 'pending', { status: 'failed' })),
        ]);
        expect(got.filter(Boolean)).toHaveLength(1);
      });

      it('two retries of one dead delivery at once: one queues it, the other finds it moved', async () => {
        await seed(a);
        await a.transaction(async (tx) => {
          await tx.insertEndpoint({
            id: 'we_suite',
            merchantId,
            livemode: false,
            url: 'https://shop.test/hook',
            description: null,
            enabledEvents: ['*'],
            status: 'enabled',
            disabledReason: null,
            failing: true,
            secret: 'whsec_suite',
            previousSecret: null,
            previousSecretExpiresAt: null,
            createdAt: 1,
            deletedAt: null,
          });
          await tx.insertEvent({
            id: 'evt_suite',
            merchantId,
            livemode: false,
            type: 'payment_intent.succeeded',
            objectId: 'pi_x',
            data: {},
            createdAt: 1,
          });
          await tx.insertDelivery({
            id: 'wd_suite',
            endpointId: 'we_suite',
            eventId: 'evt_suite',
            merchantId,
            status: 'dead',
            attemptCount: 8,
            nextAttemptAt: null,
            createdAt: 1,
            updatedAt: 1,
          });
        });
        const retry = { status: 'pending' as const, attemptCount: 0, nextAttemptAt: 5 };
        const got = await Promise.all(
          [a, b, a, b].map((store) =>
            store.transaction((tx) => tx.updateDelivery('wd_suite', retry, 'dead')),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        expect(await b.read((tx) => tx.getDelivery('wd_suite'))).toMatchObject(retry);
        // Without a status to hold to, the write is unconditional (the deliverer's own).
        expect(
          await b.transaction((tx) => tx.updateDelivery('wd_suite', { status: 'delivered' })),
        ).toBe(true);
      });

      it('rate-limit counters count every hit from every process', async () => {
        const counts = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? b : a).transaction((tx) => tx.hitRateLimit('client:x', 60_000)),
          ),
        );
        expect([...counts].sort((x, y) => x - y)).toEqual(
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
        // A new window starts again at one.
        expect(await a.transaction((tx) => tx.hitRateLimit('client:x', 120_000))).toBe(1);
      });
    });

    describe('jobs', () => {
      const claim = (store: Store, now: number, limit: number, perKey = 8, perGroup?: number) =>
        store.transaction((tx) => tx.claimJobs(now, limit, now + 60_000, { perKey, perGroup }));

      it('two workers claiming at once never get the same job, and together get all', async () => {
        await addJobs(
          a,
          Array.from({ length: 120 }, (_, i) => job(null, i)),
        );
        const batches = await Promise.all(
          Array.from({ length: 8 }, (_, i) => claim(i % 2 ? b : a, 1_000, 20)),
        );
        const ids = batches.flat().map((j) => j.id);
        expect(new Set(ids).size).toBe(ids.length);
        const rest = await claim(a, 1_000, 200);
        expect(ids.length + rest.length).toBe(120);
        expect(
          batches.flat().every((j) => j.status === 'running' && j.lockedUntil === 61_000),
        ).toBe(true);
      });

      it("holds one endpoint's bound across workers: the running jobs in the database count", async () => {
        await addJobs(
          a,
          Array.from({ length: 30 }, (_, i) => job('mer_a/we_1', i)),
        );
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, i) => claim(i % 2 ? b : a, 1_000, 10, 3)),
        );
        expect(batches.flat()).toHaveLength(3);
        // Still three running: nothing more until one finishes.
        expect(await claim(b, 1_001, 10, 3)).toEqual([]);
        const done = batches.flat()[0] as JobRow;
        await a.transaction((tx) => tx.deleteJob(done.id));
        expect(await claim(b, 1_002, 10, 3)).toHaveLength(1);
      });

      it("hands a finished job's slot to the next of its key, never past the bound", async () => {
        await addJobs(
          a,
          Array.from({ length: 6 }, (_, i) => job('mer_a/we_1', i)),
        );
        const running = await claim(a, 1_000, 10, 2);
        expect(running).toHaveLength(2);
        // Both finish at once, each in its own connection: two distinct next jobs.
        const next = await Promise.all(
          running.map((r, i) =>
            (i ? b : a).transaction(async (tx) => {
              await tx.deleteJob(r.id);
              return tx.claimNextForKey('mer_a/we_1', 1_001, 61_001);
            }),
          ),
        );
        const ids = next.map((n) => n?.id);
        expect(new Set(ids).size).toBe(2);
        expect(next.every((n) => n?.status === 'running' && n.lockedUntil === 61_001)).toBe(true);
        expect(ids).not.toContain(running[0]?.id);
        // Still two running: a claim finds no room.
        expect(await claim(b, 1_002, 10, 2)).toEqual([]);
        // Nothing due for another key, and nothing for a job not yet due.
        expect(await a.transaction((tx) => tx.claimNextForKey('mer_a/we_2', 1_002, 9))).toBeNull();
        expect(await a.transaction((tx) => tx.claimNextForKey('mer_a/we_1', -1, 9))).toBeNull();
      });

      it("bounds one merchant's deliveries in flight, so another merchant's still go", async () => {
        for (let e = 0; e < 10; e++) {
          await addJobs(
            a,
            Array.from({ length: 4 }, (_, i) => job(`mer_a/we_${e}`, 1 + i)),
          );
        }
        await addJobs(a, [job('mer_b/we_x', 100), job('mer_b/we_x', 101), job(null, 50)]);
        const got = (
          await Promise.all([claim(a, 1_000, 32, 8, 6), claim(b, 1_000, 32, 8, 6)])
        ).flat();
        const of = (m: string) => got.filter((j) => j.concurrencyKey?.startsWith(`${m}/`)).length;
        expect(of('mer_a')).toBe(6);
        expect(of('mer_b')).toBe(2);
        expect(got.filter((j) => j.concurrencyKey === null)).toHaveLength(1);
      });

      it("passes over a busy endpoint's backlog to the others' jobs, oldest first", async () => {
        await addJobs(
          a,
          Array.from({ length: 300 }, (_, i) => job('we_a', 1 + i)),
        );
        await addJobs(a, [job('we_b', 1000), job('we_b', 1001), job(null, 500), job('we_c', 5000)]);
        const first = await claim(a, 2000, 20);
        expect(first.filter((j) => j.concurrencyKey === 'we_a')).toHaveLength(8);
        expect(
          first.filter((j) => j.concurrencyKey !== 'we_a').map((j) => [j.concurrencyKey, j.runAt]),
        ).toEqual([
          [null, 500],
          ['we_b', 1000],
          ['we_b', 1001],
        ]);
        // Not due yet stays queued.
        expect(first.some((j) => j.concurrencyKey === 'we_c')).toBe(false);
        expect(first[0]?.payload).toEqual({ n: expect.any(Number) });
      });

      it('takes over jobs whose worker died (their lock ran out), once', async () => {
        await addJobs(a, [job('we_a', 1)]);
        const [taken] = await claim(a, 10, 5);
        expect(await claim(b, 20, 5)).toEqual([]);
        const again = await Promise.all([claim(a, 10 + 60_001, 5), claim(b, 10 + 60_001, 5)]);
        expect(again.flat().map((j) => j.id)).toEqual([taken?.id]);
      });

      it('a finished job is gone; a retried one is queued again for later', async () => {
        await addJobs(a, [job(null, 1), job(null, 2)]);
        const [x, y] = await claim(a, 10, 5);
        await a.transaction(async (tx) => {
          await tx.deleteJob((x as JobRow).id);
          await tx.updateJob((y as JobRow).id, {
            status: 'queued',
            runAt: 500,
            attempts: 1,
            lockedUntil: null,
            lastError: 'timeout',
          });
        });
        expect(await claim(a, 100, 5)).toEqual([]);
        const later = await claim(b, 500, 5);
        expect(later.map((j) => [j.id, j.attempts, j.lastError])).toEqual([
          [(y as JobRow).id, 1, 'timeout'],
        ]);
      });

      it.runIf(opts.wakesOtherConnections)(
        "wakes every process's workers when jobs are committed, and not on a rollback",
        async () => {
          let woken = 0;
          b.onJobsCommitted(() => {
            woken++;
          });
          await expect(
            a.transaction(async (tx) => {
              await tx.enqueueJob(job(null, 1));
              throw new Error('rolled back');
            }),
          ).rejects.toThrow();
          await addJobs(a, [job(null, 1)]);
          const deadline = Date.now() + 5_000;
          while (woken === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
          expect(woken).toBe(1);
        },
      );
    });
  });
}
