import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigCache } from '../config-cache.ts';
import { PendingCommit } from '../executor.ts';
import { createRepositories } from '../repos/compose.ts';
import { sqliteDialect } from '../sqlite/dialect.ts';
import type {
  ApiKeyRow,
  AttemptRow,
  EventListFilter,
  EventRow,
  IdempotencyRow,
  IntentListFilter,
  IntentRow,
  JobRow,
  ProcessorAccountRow,
  ReconciliationRunRow,
  RefundRow,
  Store,
  WebhookEndpointRow,
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
    // Every repository method the suite calls, so that the last test can say none is left
    // out: the suite is the contract only if it exercises all of it.
    const called = new Set<string>();
    const recorded = <T extends object>(tx: T): T =>
      new Proxy(tx, {
        get(target, name) {
          const repo = Reflect.get(target, name);
          if (typeof repo !== 'object' || repo === null) return repo;
          return new Proxy(repo, {
            get(r, method) {
              const f = Reflect.get(r, method);
              if (typeof f !== 'function') return f;
              return (...args: unknown[]) => {
                called.add(`${String(name)}.${String(method)}`);
                return f.apply(r, args);
              };
            },
          });
        },
      });
    const recording = (store: Store): Store =>
      Object.assign(Object.create(null), store, {
        transaction: (fn: (tx: never) => Promise<unknown>) =>
          store.transaction((tx) => fn(recorded(tx) as never)),
        read: (fn: (tx: never) => Promise<unknown>) =>
          store.read((tx) => fn(recorded(tx) as never)),
      });

    beforeEach(async () => {
      const first = await opts.create();
      a = recording(first);
      b = opts.connect ? recording(await opts.connect(first)) : a;
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
        if (await tx.merchants.get(merchantId)) return;
        await tx.merchants.insert({
          id: merchantId,
          name: 'Suite Shop',
          allowedOrigins: ['https://shop.test'],
          upiCollect: false,
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
        for (const j of jobs) await tx.jobs.enqueue(j);
      });
    const paid = async (amount = 10_000) => {
      await seed(a);
      const row = intent({ status: 'succeeded', amount, amountReceived: amount });
      await a.transaction((tx) => tx.intents.insert(row));
      return row;
    };

    describe('rows', () => {
      it('keeps every field as written: JSON, booleans, nulls and amounts past 2^31', async () => {
        await seed(a);
        const row = intent({ amount: 5_000_000_000, livemode: true, expiresAt: 2 ** 45 });
        expect(await a.transaction((tx) => tx.intents.insert(row))).toBe(true);
        expect(await b.read((tx) => tx.intents.get(row.id))).toEqual(row);
        expect(await a.read((tx) => tx.intents.get('pi_missing'))).toBeNull();
      });

      it("reads by id within an owner's scope: another merchant's or mode's row is not found", async () => {
        await seed(a);
        const row = intent({ livemode: true });
        await a.transaction((tx) => tx.intents.insert(row));
        const refund = refundOf(row, { id: 're_scope' });
        await a.transaction((tx) => tx.refunds.insert(refund));
        const owner = { merchantId, livemode: true };
        for (const other of [
          { merchantId: 'mer_other', livemode: true },
          { merchantId, livemode: false },
        ]) {
          expect(await b.read((tx) => tx.intents.get(row.id, other))).toBeNull();
          expect(await b.transaction((tx) => tx.intents.get(row.id, other))).toBeNull();
          expect(await b.read((tx) => tx.refunds.get(refund.id, other))).toBeNull();
        }
        expect(await b.read((tx) => tx.intents.get(row.id, owner))).toEqual(row);
        expect(await b.transaction((tx) => tx.intents.get(row.id, owner))).toEqual(row);
        expect(await b.read((tx) => tx.refunds.get(refund.id, owner))).toEqual(refund);
      });

      it("changes a merchant's name and origins; counts declines, not attempts the shopper left", async () => {
        await seed(a);
        await a.transaction((tx) =>
          tx.merchants.update(merchantId, {
            name: 'Renamed',
            allowedOrigins: ['http://x.test'],
            upiCollect: true,
          }),
        );
        expect(await b.read((tx) => tx.merchants.get(merchantId))).toMatchObject({
          name: 'Renamed',
          allowedOrigins: ['http://x.test'],
          upiCollect: true,
        });
        const row = intent();
        await a.transaction((tx) => tx.intents.insert(row));
        const attempt = (id: string, status: AttemptRow['status'], declineCode: string | null) =>
          attemptOf(row, { id, status, declineCode });
        await a.transaction(async (tx) => {
          await tx.attempts.insert(attempt('pa_declined', 'failed', 'insufficient_funds'));
          await tx.attempts.insert(attempt('pa_left', 'failed', 'abandoned'));
          await tx.attempts.insert(attempt('pa_failed', 'failed', null));
          await tx.attempts.insert(attempt('pa_paid', 'succeeded', null));
        });
        expect(await b.read((tx) => tx.attempts.countFailed(row.id, 'ck_1'))).toBe(2);
      });

      it('lists newest first in pages that neither skip nor repeat a row', async () => {
        await seed(a);
        const rows = Array.from({ length: 7 }, () => intent({ createdAt: 5_000 }));
        await a.transaction(async (tx) => {
          for (const r of rows) await tx.intents.insert(r);
        });
        const seen: string[] = [];
        let after: { createdAt: number; id: string } | undefined;
        for (;;) {
          const page = await a.read((tx) =>
            tx.intents.list({ merchantId, livemode: false, limit: 3, after }),
          );
          if (page.length === 0) break;
          seen.push(...page.map((r) => r.id));
          const last = page[page.length - 1] as IntentRow;
          after = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen).toEqual(rows.map((r) => r.id).reverse());
        const before = await a.read((tx) =>
          tx.intents.list({
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
          for (const r of rows) await tx.intents.insert(r);
          const method = ['card', 'upi', 'upi', 'card'] as const;
          for (const [i, r] of rows.slice(0, 4).entries()) {
            // The first intent was tried by UPI before its card: only the latest counts.
            if (i === 0) {
              await tx.attempts.insert(attemptOf(r, { id: 'pa_f0', methodType: 'upi' }));
            }
            await tx.attempts.insert(
              attemptOf(r, { id: `pa_f${i + 1}`, methodType: method[i] as 'card' }),
            );
          }
        });
        const ids = async (f: Partial<IntentListFilter>) =>
          (await b.read((tx) => tx.intents.list({ merchantId, livemode: false, limit: 10, ...f })))
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
        expect(await a.transaction((tx) => tx.users.insert(user))).toBe(true);
        expect(await b.transaction((tx) => tx.users.insert({ ...user, id: 'usr_other' }))).toBe(
          false,
        );
        expect(await b.read((tx) => tx.users.byEmail('owner@shop.test'))).toEqual(user);
        expect(await b.read((tx) => tx.users.get('usr_other'))).toBeNull();
        // Two password changes from the same old password at once: one wins.
        const changed = await Promise.all(
          [a, b].map((store, i) =>
            store.transaction((tx) =>
              tx.users.changePassword(user.id, 'scrypt$hash', `scrypt$new${i}`),
            ),
          ),
        );
        expect(changed.filter(Boolean)).toHaveLength(1);
        expect(await a.read((tx) => tx.users.get(user.id))).toMatchObject({
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
          await tx.sessions.insert(session('s1'));
          await tx.sessions.insert(session('s2'));
        });
        expect(await b.read((tx) => tx.sessions.get('s1'))).toEqual(session('s1'));
        // Used within the idle window: alive, and marked used.
        expect(await b.transaction((tx) => tx.sessions.touch('s1', 200, 90))).toBe(true);
        expect((await a.read((tx) => tx.sessions.get('s1')))?.lastSeenAt).toBe(200);
        // Idle too long, or past its absolute end: not alive, nothing written.
        expect(await a.transaction((tx) => tx.sessions.touch('s2', 300, 150))).toBe(false);
        expect(await a.transaction((tx) => tx.sessions.touch('s1', 1_000, 150))).toBe(false);
        expect((await a.read((tx) => tx.sessions.get('s1')))?.lastSeenAt).toBe(200);
        // Sessions over (idle since before 150, or past their end) are swept.
        expect(await a.transaction((tx) => tx.sessions.delete({ now: 300, idleSince: 150 }))).toBe(
          1,
        );
        expect(await a.read((tx) => tx.sessions.get('s2'))).toBeNull();
        expect(await a.transaction((tx) => tx.sessions.delete({ id: 's1' }))).toBe(1);
        await a.transaction((tx) => tx.sessions.insert(session('s3')));
        expect(await b.transaction((tx) => tx.sessions.delete({ userId: user.id }))).toBe(1);
        expect(await a.read((tx) => tx.sessions.get('s3'))).toBeNull();
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
          for (const r of rows) await tx.intents.insert(r);
          for (const at of attempts) await tx.attempts.insert(at);
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
              tx.overview.read({ merchantId, maxWebhookAttempts: 10, ...f }),
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
        expect(await a.transaction((tx) => tx.overview.fold(7))).toBe(7);
        await check('partly folded');
        // Later changes: payments succeed (and are captured for less), attempts settle.
        for (const [i, r] of rows.entries()) {
          if (i % 4 !== 1) continue;
          const patch = { status: 'succeeded' as const, amountReceived: 50 + i };
          expect(await b.transaction((tx) => tx.intents.update(r.id, r.status, patch))).toBe(true);
          Object.assign(r, patch);
        }
        for (const at of attempts.filter((_, i) => i % 4 === 1)) {
          const patch = { status: 'succeeded' as const, declineCode: null };
          await b.transaction((tx) => tx.attempts.update(at.id, patch));
          Object.assign(at, patch);
        }
        await check('changed');
        // Two folds at once take different changes, and fold each once.
        const folded = await Promise.all(
          [a, b].map((store) => store.transaction((tx) => tx.overview.fold(25))),
        );
        expect(folded.every((n) => n > 0)).toBe(true);
        await check('two folds');
        while ((await a.transaction((tx) => tx.overview.fold(1_000))) > 0);
        await check('folded');
        expect(await b.transaction((tx) => tx.overview.fold(1_000))).toBe(0);
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
          for (const r of rows) await tx.intents.insert(r);
        });
        const got = await b.read((tx) =>
          tx.overview.read({
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
          await tx.apiKeys.insert(key('key_old1', 10));
          await tx.apiKeys.insert(key('key_new2', 20));
        });
        const ids = (await b.read((tx) => tx.apiKeys.list(merchantId, false))).map((k) => k.id);
        expect(ids.indexOf('key_new2')).toBeLessThan(ids.indexOf('key_old1'));
        expect(await b.read((tx) => tx.apiKeys.list(merchantId, true))).not.toContainEqual(
          expect.objectContaining({ id: 'key_old1' }),
        );
        expect(await a.transaction((tx) => tx.apiKeys.revoke('key_old1', 500))).toBe(true);
        expect(await b.transaction((tx) => tx.apiKeys.revoke('key_old1', 900))).toBe(false);
        expect((await b.read((tx) => tx.apiKeys.bySecretHash('hash_key_old1')))?.revokedAt).toBe(
          500,
        );
        // Expiring brings the end forward, never back.
        expect(await a.transaction((tx) => tx.apiKeys.expire('key_old1', 900))).toBe(false);
        expect(await a.transaction((tx) => tx.apiKeys.expire('key_old1', 300))).toBe(true);
        expect(await b.transaction((tx) => tx.apiKeys.expire('key_new2', 400))).toBe(true);
        const ends = await b.read(async (tx) => [
          (await tx.apiKeys.bySecretHash('hash_key_old1'))?.revokedAt,
          (await tx.apiKeys.bySecretHash('hash_key_new2'))?.revokedAt,
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
        const own = await b.read((tx) => tx.jobs.stats(merchantId));
        expect(own).toEqual([
          { kind: 'webhook.deliver', status: 'queued', retrying: 1, count: 2, oldest: 40 },
        ]);
        const all = await b.read((tx) => tx.jobs.stats(null));
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
            await tx.intents.insert(row);
            await tx.jobs.enqueue(job(null, 1));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await a.read((tx) => tx.intents.get(row.id))).toBeNull();
        expect(await a.transaction((tx) => tx.jobs.claim(10, 10, 100, { perKey: 8 }))).toEqual([]);
      });
    });

    describe('every other read and write', () => {
      it('overwrites a setting', async () => {
        await a.transaction((tx) => tx.settings.set('k', 'one'));
        await b.transaction((tx) => tx.settings.set('k', 'two'));
        expect(await a.read((tx) => tx.settings.get('k'))).toBe('two');
      });

      it("finds a publishable key, and a merchant's newest secret key that is not revoked", async () => {
        await seed(a);
        const key = (id: string, over: Partial<ApiKeyRow>): ApiKeyRow => ({
          id,
          merchantId,
          livemode: false,
          kind: 'secret',
          publishableKey: null,
          secretHash: `hash_${id}`,
          last4: id.slice(-4),
          createdAt: 1,
          revokedAt: null,
          ...over,
        });
        await a.transaction(async (tx) => {
          await tx.apiKeys.insert(
            key('pk_1', { kind: 'publishable', publishableKey: 'pk_test_1', secretHash: null }),
          );
          await tx.apiKeys.insert(key('sk_old', { createdAt: 1 }));
          await tx.apiKeys.insert(key('sk_new', { createdAt: 2, revokedAt: 5 }));
          await tx.apiKeys.insert(key('sk_live', { createdAt: 3, livemode: true }));
        });
        expect((await b.read((tx) => tx.apiKeys.byPublishable('pk_test_1')))?.id).toBe('pk_1');
        expect(await b.read((tx) => tx.apiKeys.byPublishable('pk_test_2'))).toBeNull();
        expect((await b.read((tx) => tx.apiKeys.activeSecret(merchantId, false)))?.id).toBe(
          'sk_old',
        );
        expect((await b.read((tx) => tx.apiKeys.activeSecret(merchantId, true)))?.id).toBe(
          'sk_live',
        );
      });

      it('saves a processor account once per merchant, processor and mode, replacing its credentials', async () => {
        await seed(a);
        const account = (
          id: string,
          over: Partial<ProcessorAccountRow> = {},
        ): ProcessorAccountRow => ({
          id,
          merchantId,
          processor: 'stripe',
          livemode: false,
          sealed: 'sealed-1',
          hints: { secret_key: '…4242' },
          createdAt: 10,
          updatedAt: 10,
          ...over,
        });
        const first = await a.transaction((tx) => tx.accounts.save(account('pacct_1')));
        expect(first).toEqual(account('pacct_1'));
        const again = await b.transaction((tx) =>
          tx.accounts.save(
            account('pacct_2', { sealed: 'sealed-2', updatedAt: 20, createdAt: 20 }),
          ),
        );
        // The same account, its credentials replaced: its id and creation kept.
        expect(again).toEqual(account('pacct_1', { sealed: 'sealed-2', updatedAt: 20 }));
        await a.transaction((tx) =>
          tx.accounts.save(account('pacct_3', { livemode: true, createdAt: 30 })),
        );
        expect(await a.read((tx) => tx.accounts.get('pacct_1'))).toEqual(again);
        expect(await a.read((tx) => tx.accounts.get('pacct_2'))).toBeNull();
        expect((await b.read((tx) => tx.accounts.list(merchantId))).map((r) => r.id)).toEqual([
          'pacct_1',
          'pacct_3',
        ]);
        expect((await b.read((tx) => tx.accounts.list(null))).map((r) => r.id)).toEqual([
          'pacct_1',
          'pacct_3',
        ]);
        expect(await b.read((tx) => tx.accounts.list('mer_other'))).toEqual([]);
      });

      it('finds held intents gone stale and open intents past their expiry, oldest first', async () => {
        await seed(a);
        const heldOld = intent({ status: 'requires_capture', updatedAt: 100 });
        const heldBusy = intent({
          status: 'requires_capture',
          updatedAt: 50,
          operation: 'capture',
        });
        const heldNew = intent({ status: 'requires_capture', updatedAt: 900 });
        const due2 = intent({ expiresAt: 200 });
        const due1 = intent({ status: 'requires_action', expiresAt: 100 });
        const paidLong = intent({ status: 'succeeded', expiresAt: 50 });
        const later = intent({ expiresAt: 5_000 });
        await a.transaction(async (tx) => {
          for (const r of [heldOld, heldBusy, heldNew, due2, due1, paidLong, later]) {
            await tx.intents.insert(r);
          }
        });
        expect(
          (await b.read((tx) => tx.intents.staleAuthorizations(500, 10))).map((r) => r.id),
        ).toEqual([heldOld.id]);
        expect((await b.read((tx) => tx.intents.expiredOpen(1_000, 10))).map((r) => r.id)).toEqual([
          due1.id,
          due2.id,
        ]);
        expect((await b.read((tx) => tx.intents.expiredOpen(1_000, 1))).map((r) => r.id)).toEqual([
          due1.id,
        ]);
      });

      it('reads attempts by id, by processor reference, by intent and by creation time', async () => {
        const row = await paid();
        const other = intent();
        await a.transaction((tx) => tx.intents.insert(other));
        const one = attemptOf(row, { id: 'pa_1', processorReference: 'ref_1', createdAt: 100 });
        const two = attemptOf(row, {
          id: 'pa_2',
          processor: 'stripe',
          processorReference: 'ref_1',
          createdAt: 200,
        });
        const three = attemptOf(other, { id: 'pa_3', createdAt: 300 });
        await a.transaction(async (tx) => {
          for (const r of [two, one, three]) await tx.attempts.insert(r);
        });
        expect(await b.read((tx) => tx.attempts.get('pa_1'))).toEqual(one);
        expect(await b.read((tx) => tx.attempts.get('pa_none'))).toBeNull();
        expect(await b.read((tx) => tx.attempts.byReference('stripe', 'ref_1'))).toEqual(two);
        expect(await b.read((tx) => tx.attempts.byReference('sandbox', 'ref_9'))).toBeNull();
        expect((await b.read((tx) => tx.attempts.ofIntent(row.id))).map((r) => r.id)).toEqual([
          'pa_1',
          'pa_2',
        ]);
        expect(
          (await b.read((tx) => tx.attempts.between('sandbox', 100, 300))).map((r) => r.id),
        ).toEqual(['pa_1']);
        // In flight: pending with no processor reference yet, begun before the cut-off.
        await a.transaction(async (tx) => {
          for (const [id, createdAt, ref] of [
            ['pa_4', 50, null],
            ['pa_5', 40, null],
            ['pa_6', 500, null],
            ['pa_7', 10, 'ref_7'],
          ] as const) {
            await tx.attempts.insert(
              attemptOf(other, { id, status: 'pending', createdAt, processorReference: ref }),
            );
          }
        });
        expect((await b.read((tx) => tx.attempts.inFlight(100, 10))).map((r) => r.id)).toEqual([
          'pa_5',
          'pa_4',
        ]);
        expect((await b.read((tx) => tx.attempts.inFlight(100, 1))).map((r) => r.id)).toEqual([
          'pa_5',
        ]);
        await a.transaction((tx) =>
          tx.attempts.update('pa_1', { status: 'failed', updatedAt: 150 }),
        );
        expect(await b.read((tx) => tx.attempts.get('pa_1'))).toEqual({
          ...one,
          status: 'failed',
          updatedAt: 150,
        });
      });

      it("lists a merchant's refunds newest first, one intent's, and finds one by processor reference", async () => {
        const row = await paid();
        const other = await paid();
        await a.transaction(async (tx) => {
          await tx.refunds.insert(refundOf(row, { id: 're_1', createdAt: 10 }));
          await tx.refunds.insert(
            refundOf(other, { id: 're_2', createdAt: 20, processorReference: 'pr_2' }),
          );
          await tx.refunds.insert(refundOf(row, { id: 're_3', createdAt: 30 }));
          await tx.refunds.insert(refundOf(row, { id: 're_4', createdAt: 40, livemode: true }));
        });
        const owner = { merchantId, livemode: false };
        const ids = (rs: RefundRow[]) => rs.map((r) => r.id);
        expect(ids(await b.read((tx) => tx.refunds.list({ ...owner, limit: 10 })))).toEqual([
          're_3',
          're_2',
          're_1',
        ]);
        expect(
          ids(await b.read((tx) => tx.refunds.list({ ...owner, intentId: row.id, limit: 10 }))),
        ).toEqual(['re_3', 're_1']);
        expect(
          ids(
            await b.read((tx) =>
              tx.refunds.list({ ...owner, limit: 1, after: { createdAt: 30, id: 're_3' } }),
            ),
          ),
        ).toEqual(['re_2']);
        expect(
          ids(
            await b.read((tx) =>
              tx.refunds.list({ ...owner, limit: 10, before: { createdAt: 10, id: 're_1' } }),
            ),
          ),
        ).toEqual(['re_3', 're_2']);
        expect((await b.read((tx) => tx.refunds.byReference('pr_2')))?.id).toBe('re_2');
        expect(await b.read((tx) => tx.refunds.byReference('pr_9'))).toBeNull();
      });

      it("reads events by id in an owner's scope, by type pattern in commit order, and an object's", async () => {
        const event = (
          id: string,
          type: EventRow['type'],
          objectId: string,
          over: Partial<EventRow> = {},
        ): EventRow => ({
          id,
          merchantId,
          livemode: false,
          type,
          objectId,
          data: { id: objectId, n: id },
          createdAt: 100,
          ...over,
        });
        const rows = [
          event('evt_1', 'payment_intent.created', 'pi_x'),
          event('evt_2', 'refund.succeeded', 're_x', { createdAt: 200 }),
          event('evt_3', 'payment_intent.succeeded', 'pi_x', { createdAt: 300 }),
          event('evt_4', 'payment_intent.created', 'pi_y', { livemode: true }),
        ];
        await a.transaction(async (tx) => {
          for (const r of rows) await tx.events.insert(r);
        });
        const got = await b.read((tx) => tx.events.get('evt_1', { merchantId, livemode: false }));
        expect(got).toMatchObject(rows[0] as EventRow);
        expect(
          await b.read((tx) => tx.events.get('evt_4', { merchantId, livemode: false })),
        ).toBeNull();
        expect(await b.read((tx) => tx.events.get('evt_4'))).toMatchObject(rows[3] as EventRow);
        const list = (f: Partial<EventListFilter>) =>
          b.read((tx) => tx.events.list({ merchantId, livemode: false, limit: 10, ...f }));
        const ids = (es: { id: string }[]) => es.map((e) => e.id);
        expect(ids(await list({}))).toEqual(['evt_3', 'evt_2', 'evt_1']);
        expect(ids(await list({ typePattern: 'payment_intent.*' }))).toEqual(['evt_3', 'evt_1']);
        expect(ids(await list({ typePattern: 'refund.succeeded' }))).toEqual(['evt_2']);
        expect(ids(await list({ objectId: 'pi_x', createdGte: 200 }))).toEqual(['evt_3']);
        const [newest] = await list({ limit: 1 });
        const seq = (newest as { seq: number }).seq;
        expect(ids(await list({ after: seq }))).toEqual(['evt_2', 'evt_1']);
        expect(ids(await list({ before: seq - 2, limit: 1 }))).toEqual(['evt_2']);
        expect(await b.read((tx) => tx.events.ofObject('pi_x'))).toEqual([rows[0], rows[2]]);
      });

      it("pages a merchant's live endpoints, hides deleted ones, and updates them", async () => {
        await seed(a);
        const endpoint = (
          id: string,
          createdAt: number,
          over: Partial<WebhookEndpointRow> = {},
        ): WebhookEndpointRow => ({
          id,
          merchantId,
          livemode: false,
          url: `https://shop.test/${id}`,
          description: null,
          enabledEvents: ['*'],
          status: 'enabled',
          disabledReason: null,
          failing: false,
          secret: `whsec_${id}`,
          previousSecret: null,
          previousSecretExpiresAt: null,
          createdAt,
          deletedAt: null,
          ...over,
        });
        await a.transaction(async (tx) => {
          await tx.endpoints.insert(endpoint('we_1', 10));
          await tx.endpoints.insert(endpoint('we_2', 20));
          await tx.endpoints.insert(endpoint('we_3', 30, { livemode: true }));
        });
        const owner = { merchantId, livemode: false };
        expect(await b.read((tx) => tx.endpoints.get('we_1', owner))).toEqual(endpoint('we_1', 10));
        expect(await b.read((tx) => tx.endpoints.get('we_3', owner))).toBeNull();
        expect(
          (await b.read((tx) => tx.endpoints.live(merchantId, false))).map((e) => e.id),
        ).toEqual(['we_1', 'we_2']);
        expect(
          (await b.read((tx) => tx.endpoints.page({ ...owner, limit: 1 }))).map((e) => e.id),
        ).toEqual(['we_2']);
        await b.transaction((tx) =>
          tx.endpoints.update('we_2', {
            deletedAt: 40,
            enabledEvents: ['refund.*'],
            failing: true,
          }),
        );
        expect(await a.read((tx) => tx.endpoints.get('we_2'))).toBeNull();
        expect(
          (await a.read((tx) => tx.endpoints.live(merchantId, false))).map((e) => e.id),
        ).toEqual(['we_1']);
        expect(
          (await a.read((tx) => tx.endpoints.page({ ...owner, limit: 5 }))).map((e) => e.id),
        ).toEqual(['we_1']);
      });

      it("lists an endpoint's deliveries with their event's type, an event's deliveries, and every attempt", async () => {
        await seed(a);
        await a.transaction(async (tx) => {
          await tx.endpoints.insert({
            id: 'we_d',
            merchantId,
            livemode: false,
            url: 'https://shop.test/hook',
            description: null,
            enabledEvents: ['*'],
            status: 'enabled',
            disabledReason: null,
            failing: false,
            secret: 'whsec_d',
            previousSecret: null,
            previousSecretExpiresAt: null,
            createdAt: 1,
            deletedAt: null,
          });
          for (const [id, type] of [
            ['evt_d1', 'payment_intent.created'],
            ['evt_d2', 'payment_intent.succeeded'],
          ] as const) {
            await tx.events.insert({
              id,
              merchantId,
              livemode: false,
              type,
              objectId: 'pi_d',
              data: {},
              createdAt: 1,
            });
          }
          for (const [id, eventId, status, createdAt] of [
            ['whd_1', 'evt_d1', 'delivered', 10],
            ['whd_2', 'evt_d2', 'dead', 20],
            ['whd_3', 'evt_d2', 'pending', 30],
          ] as const) {
            await tx.deliveries.insert({
              id,
              endpointId: 'we_d',
              eventId,
              merchantId,
              status,
              attemptCount: 1,
              nextAttemptAt: null,
              createdAt,
              updatedAt: createdAt,
            });
          }
          await tx.deliveries.insertAttempt({
            deliveryId: 'whd_2',
            attemptedAt: 21,
            responseStatus: 500,
            latencyMs: 7,
            responseBody: 'no',
            error: null,
          });
          await tx.deliveries.insertAttempt({
            deliveryId: 'whd_1',
            attemptedAt: 11,
            responseStatus: 200,
            latencyMs: 3,
            responseBody: 'ok',
            error: null,
          });
          await tx.deliveries.insertAttempt({
            deliveryId: 'whd_2',
            attemptedAt: 22,
            responseStatus: null,
            latencyMs: 9,
            responseBody: null,
            error: 'timeout',
          });
        });
        const listed = await b.read((tx) => tx.deliveries.list({ endpointId: 'we_d', limit: 10 }));
        expect(listed.map((d) => [d.id, d.eventType])).toEqual([
          ['whd_3', 'payment_intent.succeeded'],
          ['whd_2', 'payment_intent.succeeded'],
          ['whd_1', 'payment_intent.created'],
        ]);
        expect(
          (
            await b.read((tx) =>
              tx.deliveries.list({ endpointId: 'we_d', status: 'dead', limit: 10 }),
            )
          ).map((d) => d.id),
        ).toEqual(['whd_2']);
        expect(
          (
            await b.read((tx) =>
              tx.deliveries.list({
                endpointId: 'we_d',
                limit: 1,
                after: { createdAt: 30, id: 'whd_3' },
              }),
            )
          ).map((d) => d.id),
        ).toEqual(['whd_2']);
        expect(
          (await b.read((tx) => tx.deliveries.ofEvents(['evt_d2', 'evt_x']))).map((d) => d.id),
        ).toEqual(['whd_2', 'whd_3']);
        expect(await b.read((tx) => tx.deliveries.ofEvents([]))).toEqual([]);
        expect(await b.read((tx) => tx.deliveries.attempts(['whd_2', 'whd_1']))).toEqual([
          {
            deliveryId: 'whd_2',
            attemptedAt: 21,
            responseStatus: 500,
            latencyMs: 7,
            responseBody: 'no',
            error: null,
          },
          {
            deliveryId: 'whd_1',
            attemptedAt: 11,
            responseStatus: 200,
            latencyMs: 3,
            responseBody: 'ok',
            error: null,
          },
          {
            deliveryId: 'whd_2',
            attemptedAt: 22,
            responseStatus: null,
            latencyMs: 9,
            responseBody: null,
            error: 'timeout',
          },
        ]);
        expect(await b.read((tx) => tx.deliveries.attempts([]))).toEqual([]);
      });

      it('records a processor notification once, whichever process hears it twice', async () => {
        const n = {
          processor: 'stripe',
          notificationId: 'evt_st_1',
          reference: 'pi_st',
          payload: '{}',
          receivedAt: 1,
        };
        const got = await Promise.all(
          [a, b].map((s) => s.transaction((tx) => tx.notifications.record(n))),
        );
        expect(got.sort()).toEqual([false, true]);
        expect(
          await a.transaction((tx) => tx.notifications.record({ ...n, processor: 'sandbox' })),
        ).toBe(true);
      });

      it("keeps reconciliation runs: by id in an owner's scope, a merchant's newest first, a date's newest", async () => {
        const run = (id: string, over: Partial<ReconciliationRunRow>): ReconciliationRunRow => ({
          id,
          merchantId,
          livemode: false,
          date: '2026-12-01',
          report: { rows: [{ id }] },
          createdAt: 10,
          ...over,
        });
        await a.transaction(async (tx) => {
          await tx.reconciliation.insert(run('rr_1', { createdAt: 10 }));
          await tx.reconciliation.insert(run('rr_2', { createdAt: 20 }));
          await tx.reconciliation.insert(
            run('rr_all', { merchantId: null, livemode: null, createdAt: 30 }),
          );
          await tx.reconciliation.insert(run('rr_other', { date: '2026-12-02', createdAt: 40 }));
        });
        const owner = { merchantId, livemode: false };
        expect(await b.read((tx) => tx.reconciliation.get('rr_1', owner))).toEqual(
          run('rr_1', { createdAt: 10 }),
        );
        expect(
          await b.read((tx) => tx.reconciliation.get('rr_1', { merchantId, livemode: true })),
        ).toBeNull();
        expect(
          (await b.read((tx) => tx.reconciliation.list({ ...owner, limit: 2 }))).map((r) => r.id),
        ).toEqual(['rr_other', 'rr_2']);
        expect((await b.read((tx) => tx.reconciliation.find('2026-12-01', merchantId)))?.id).toBe(
          'rr_2',
        );
        expect((await b.read((tx) => tx.reconciliation.find('2026-12-01', null)))?.id).toBe(
          'rr_all',
        );
        expect(await b.read((tx) => tx.reconciliation.find('2026-11-30', null))).toBeNull();
      });

      it('drops an Idempotency-Key only for its holder, and every key past its expiry', async () => {
        const key = (k: string, over: Partial<IdempotencyRow> = {}): IdempotencyRow => ({
          merchantId: 'mer_suite:test:secret',
          key: k,
          requestHash: 'h',
          status: 'running',
          responseStatus: null,
          responseBody: null,
          token: 'holder',
          lockedUntil: 100,
          objectId: null,
          createdAt: 1,
          expiresAt: 1_000,
          ...over,
        });
        await a.transaction(async (tx) => {
          await tx.idempotency.claim(key('k1'));
          await tx.idempotency.claim(key('k2', { expiresAt: 500 }));
          await tx.idempotency.claim(key('k3', { expiresAt: 2_000 }));
        });
        const scope = 'mer_suite:test:secret';
        await b.transaction((tx) => tx.idempotency.deleteHeld(scope, 'k1', 'someone else'));
        expect(await a.read((tx) => tx.idempotency.get(scope, 'k1'))).not.toBeNull();
        await b.transaction((tx) => tx.idempotency.deleteHeld(scope, 'k1', 'holder'));
        expect(await a.read((tx) => tx.idempotency.get(scope, 'k1'))).toBeNull();
        expect(await b.transaction((tx) => tx.idempotency.purge(1_000))).toBe(1);
        expect(await a.read((tx) => tx.idempotency.get(scope, 'k2'))).toBeNull();
        expect(await a.read((tx) => tx.idempotency.get(scope, 'k3'))).not.toBeNull();
      });

      it('drops rate-limit counters of windows that are over', async () => {
        await a.transaction(async (tx) => {
          await tx.rateLimits.hit('old', 60_000);
          await tx.rateLimits.hit('new', 120_000);
        });
        expect(await b.transaction((tx) => tx.rateLimits.purge(120_000))).toBe(1);
        expect(await a.transaction((tx) => tx.rateLimits.hit('old', 120_000))).toBe(1);
        expect(await a.transaction((tx) => tx.rateLimits.hit('new', 120_000))).toBe(2);
      });
    });

    describe('the rules kept for the caller', () => {
      it('refuses, at once, a store call made inside a transaction', async () => {
        await expect(
          a.transaction(async () => a.read((tx) => tx.settings.get('x'))),
        ).rejects.toThrow(/inside a transaction/);
        await expect(
          a.read(async () => a.transaction((tx) => tx.settings.get('x'))),
        ).rejects.toThrow(/inside a read/);
        // The store still works afterwards.
        expect(await a.read((tx) => tx.settings.get('x'))).toBeNull();
      });

      it('gives a read no way to write', async () => {
        const view = await a.read(async (tx) => ({ ...tx }) as Record<string, object>);
        const intents = view.intents as Record<string, unknown>;
        expect(intents.get).toBeTypeOf('function');
        expect(intents.insert).toBeUndefined();
        expect(intents.update).toBeUndefined();
        expect((view.jobs as Record<string, unknown>).claim).toBeUndefined();
        // No repository's read view has a method of its write half.
        for (const [name, r] of Object.entries(view)) {
          for (const w of Object.keys(writeHalves[name] ?? {}))
            expect(Object.keys(r)).not.toContain(w);
        }
      });

      it('runs one self-contained statement with store.once, and refuses a second', async () => {
        expect(await a.once((tx) => tx.rateLimits.hit('once:x', 60_000))).toBe(1);
        expect(await b.once((tx) => tx.rateLimits.hit('once:x', 60_000))).toBe(2);
        await expect(
          a.once(async (tx) => {
            await tx.rateLimits.hit('once:y', 60_000);
            await tx.rateLimits.hit('once:y', 60_000);
          }),
        ).rejects.toThrow(/more than one statement/);
        await expect(a.once((tx) => tx.jobs.enqueue(job(null, 1)))).rejects.toThrow(
          /cannot wake others/,
        );
        // Neither refused work was kept.
        expect(await a.transaction((tx) => tx.jobs.claim(10, 10, 100, { perKey: 8 }))).toEqual([]);
      });

      it('claims a once-only setting once', async () => {
        const got = await Promise.all(
          [a, b, a, b].map((s, i) => s.transaction((tx) => tx.settings.claim('daily:x', `r${i}`))),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const winner = got.indexOf(true);
        expect(await a.read((tx) => tx.settings.get('daily:x'))).toBe(`r${winner}`);
      });
    });

    describe('races two processes run into', () => {
      it('one intent per order: the same order_id created at once', async () => {
        await seed(a);
        const rows = [a, b, a, b, a, b].map(() => intent({ orderId: 'order_race' }));
        const got = await Promise.all(
          rows.map((r, i) => (i % 2 ? b : a).transaction((tx) => tx.intents.insert(r))),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const live = await a.read((tx) => tx.intents.liveByOrder(merchantId, false, 'order_race'));
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
            (i % 2 ? b : a).transaction((tx) => tx.idempotency.claim(key(t))),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const holder = `t${got.indexOf(true) + 1}`;
        expect(
          (await a.read((tx) => tx.idempotency.get('mer_suite:test:secret', 'idem-race')))?.token,
        ).toBe(holder);
        // Only the holder's token moves it on.
        expect(
          await b.transaction((tx) =>
            tx.idempotency.updateHeld('mer_suite:test:secret', 'idem-race', 'someone', {
              lockedUntil: 0,
            }),
          ),
        ).toBe(false);
        expect(
          await b.transaction((tx) =>
            tx.idempotency.bind('mer_suite:test:secret', 'idem-race', holder, 'pi_x'),
          ),
        ).toBe(true);
      });

      it('advances an intent only from the status it was read in, and commits nothing of a transaction whose intent moved', async () => {
        await seed(a);
        const row = intent();
        await a.transaction((tx) => tx.intents.insert(row));
        const moved = () => new Error('moved on');
        await a.transaction((tx) =>
          tx.intents.advance(
            row.id,
            'requires_payment_method',
            { status: 'processing', updatedAt: 5 },
            moved,
          ),
        );
        expect((await b.read((tx) => tx.intents.get(row.id)))?.status).toBe('processing');
        await expect(
          b.transaction(async (tx) => {
            await tx.settings.set('kept?', 'no');
            await tx.intents.advance(
              row.id,
              'requires_payment_method',
              { status: 'canceled' },
              moved,
            );
            await tx.settings.set('after', 'no');
          }),
        ).rejects.toThrow('moved on');
        expect((await a.read((tx) => tx.intents.get(row.id)))?.status).toBe('processing');
        expect(await a.read((tx) => tx.settings.get('kept?'))).toBeNull();
        expect(await a.read((tx) => tx.settings.get('after'))).toBeNull();
      });

      it('concurrent confirms of one intent: one moves it, the other finds it moved', async () => {
        await seed(a);
        const row = intent();
        await a.transaction((tx) => tx.intents.insert(row));
        const got = await Promise.all(
          ['att_1', 'att_2', 'att_3', 'att_4'].map((att, i) =>
            (i % 2 ? b : a).transaction((tx) =>
              tx.intents.update(row.id, 'requires_payment_method', {
                status: 'processing',
                latestAttemptId: att,
                updatedAt: 2_000,
              }),
            ),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        const now = await a.read((tx) => tx.intents.get(row.id));
        expect(now?.status).toBe('processing');
        expect(now?.latestAttemptId).toBe(`att_${got.indexOf(true) + 1}`);
      });

      it('capture and cancel at once: exactly one holds the payment', async () => {
        await seed(a);
        const row = intent({ status: 'requires_capture', amountCapturable: 10_000 });
        await a.transaction((tx) => tx.intents.insert(row));
        const [capture, cancel] = await Promise.all([
          a.transaction((tx) =>
            tx.intents.claimOperation(row.id, 'capture', 'requires_capture', 5),
          ),
          b.transaction((tx) => tx.intents.claimOperation(row.id, 'cancel', 'requires_capture', 5)),
        ]);
        expect([capture, cancel].filter(Boolean)).toHaveLength(1);
        const op = capture ? 'capture' : 'cancel';
        expect((await a.read((tx) => tx.intents.get(row.id)))?.operation).toBe(op);
        // The same operation resumes (a retry after a crash); the other stays out.
        expect(
          await b.transaction((tx) => tx.intents.claimOperation(row.id, op, 'requires_capture', 6)),
        ).toBe(true);
        await a.transaction((tx) => tx.intents.releaseOperation(row.id, op));
        expect((await a.read((tx) => tx.intents.get(row.id)))?.operation).toBeNull();
      });

      it('refunds racing never exceed what was paid', async () => {
        const row = await paid(10_000);
        const got = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? b : a).transaction((tx) => tx.refunds.reserve(row.id, 3_000, 9)),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(3);
        const now = await a.read((tx) => tx.intents.get(row.id));
        expect(now?.amountRefunded).toBe(9_000);
        // A refund that failed gives its amount back; never below zero.
        await a.transaction((tx) => tx.refunds.giveBack(row.id, 3_000, 10));
        await a.transaction((tx) => tx.refunds.giveBack(row.id, 50_000, 11));
        expect((await a.read((tx) => tx.intents.get(row.id)))?.amountRefunded).toBe(0);
        // Only a succeeded payment can be refunded at all.
        await seed(a);
        const open = intent();
        await a.transaction((tx) => tx.intents.insert(open));
        expect(await a.transaction((tx) => tx.refunds.reserve(open.id, 1, 12))).toBeNull();
      });

      it('a refund is settled once, by whichever of the webhook and the job comes first', async () => {
        const row = await paid();
        const refund = refundOf(row, { id: 're_suite' });
        await a.transaction((tx) => tx.refunds.insert(refund));
        const got = await Promise.all([
          a.transaction((tx) => tx.refunds.update(refund.id, 'pending', { status: 'succeeded' })),
          b.transaction((tx) => tx.refunds.update(refund.id, 'pending', { status: 'failed' })),
        ]);
        expect(got.filter(Boolean)).toHaveLength(1);
      });

      it('two retries of one dead delivery at once: one queues it, the other finds it moved', async () => {
        await seed(a);
        await a.transaction(async (tx) => {
          await tx.endpoints.insert({
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
          await tx.events.insert({
            id: 'evt_suite',
            merchantId,
            livemode: false,
            type: 'payment_intent.succeeded',
            objectId: 'pi_x',
            data: {},
            createdAt: 1,
          });
          await tx.deliveries.insert({
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
            store.transaction((tx) => tx.deliveries.update('wd_suite', retry, 'dead')),
          ),
        );
        expect(got.filter(Boolean)).toHaveLength(1);
        expect(await b.read((tx) => tx.deliveries.get('wd_suite'))).toMatchObject(retry);
        // Without a status to hold to, the write is unconditional.
        expect(
          await b.transaction((tx) => tx.deliveries.update('wd_suite', { status: 'delivered' })),
        ).toBe(true);
        // The deliverer's own: sent with what follows it, in the same transaction.
        await a.transaction(async (tx) => {
          await tx.deliveries.set('wd_suite', { status: 'dead', attemptCount: 9 });
          expect(await tx.deliveries.get('wd_suite')).toMatchObject({ status: 'dead' });
        });
        expect(await b.read((tx) => tx.deliveries.get('wd_suite'))).toMatchObject({
          status: 'dead',
          attemptCount: 9,
        });
      });

      it('rate-limit counters count every hit from every process', async () => {
        const counts = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? b : a).transaction((tx) => tx.rateLimits.hit('client:x', 60_000)),
          ),
        );
        expect([...counts].sort((x, y) => x - y)).toEqual(
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
        // A new window starts again at one.
        expect(await a.transaction((tx) => tx.rateLimits.hit('client:x', 120_000))).toBe(1);
      });
    });

    describe('jobs', () => {
      const claim = (store: Store, now: number, limit: number, perKey = 8, perGroup?: number) =>
        store.transaction((tx) => tx.jobs.claim(now, limit, now + 60_000, { perKey, perGroup }));

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
        await a.transaction((tx) => tx.jobs.delete(done.id));
        expect(await claim(b, 1_002, 10, 3)).toHaveLength(1);
      });

      it("hands a finished job's slot to the next of its key, never past the bound", async () => {
        await addJobs(
          a,
          Array.from({ length: 6 }, (_, i) => job('mer_a/we_1', i)),
        );
        const running = await claim(a, 1_000, 10, 2);
        expect(running).toHaveLength(2);
        // Both finish at once, each in its own connection: two distinct next jobs, each
        // known once its transaction has committed.
        const next = await Promise.all(
          running.map(async (r, i) => {
            const handed = await (i ? b : a).transaction(async (tx) => {
              await tx.jobs.delete(r.id);
              return tx.jobs.claimNextForKey('mer_a/we_1', 1_001, 61_001);
            });
            return handed.value;
          }),
        );
        const ids = next.map((n) => n?.id);
        expect(new Set(ids).size).toBe(2);
        expect(next.every((n) => n?.status === 'running' && n.lockedUntil === 61_001)).toBe(true);
        expect(ids).not.toContain(running[0]?.id);
        // Still two running: a claim finds no room.
        expect(await claim(b, 1_002, 10, 2)).toEqual([]);
        // Nothing due for another key, and nothing for a job not yet due.
        const handOff = async (key: string, now: number) =>
          (await a.transaction(async (tx) => tx.jobs.claimNextForKey(key, now, 9))).value;
        expect(await handOff('mer_a/we_2', 1_002)).toBeNull();
        expect(await handOff('mer_a/we_1', -1)).toBeNull();
      });

      it('takes nothing when the transaction handing a slot on rolls back', async () => {
        await addJobs(a, [job('mer_a/we_1', 1), job('mer_a/we_1', 2)]);
        const [first] = await claim(a, 1_000, 1, 1);
        let handed: Promise<JobRow | null> | undefined;
        await expect(
          a.transaction(async (tx) => {
            await tx.jobs.delete((first as JobRow).id);
            handed = tx.jobs.claimNextForKey('mer_a/we_1', 1_001, 61_001).value;
            throw new Error('the job failed to end');
          }),
        ).rejects.toThrow('the job failed to end');
        // PostgreSQL never sent it; SQLite rolled it back: either way nothing was taken,
        // and the first job still runs.
        if (a.kind === 'postgres') await expect(handed).rejects.toThrow();
        const stats = await a.read((tx) => tx.jobs.stats(null));
        expect(stats.map((s) => [s.status, s.count]).sort()).toEqual([
          ['queued', 1],
          ['running', 1],
        ]);
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
          await tx.jobs.delete((x as JobRow).id);
          await tx.jobs.update((y as JobRow).id, {
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
              await tx.jobs.enqueue(job(null, 1));
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

    it('has called every repository method, on this store', () => {
      const missing = ALL_METHODS.filter((m) => !called.has(m));
      expect(missing).toEqual([]);
    });
  });
}

/** Every repository's methods by name, and each repository's write half (the same for
 * every store). */
const { ALL_METHODS, writeHalves } = (() => {
  const nothing = async () => [];
  const inert = {
    dialect: 'sqlite' as const,
    writing: false,
    commit: new PendingCommit(),
    all: nothing,
    run: async () => 0,
    send: () => undefined,
    sendExpectingOne: () => undefined,
    later: () => ({ value: nothing() }),
  };
  const { tx, read } = createRepositories(
    inert,
    sqliteDialect,
    createConfigCache(() => Number.NaN),
  );
  const names: string[] = [];
  const writes: Record<string, Record<string, unknown>> = {};
  for (const [repo, methods] of Object.entries(tx)) {
    if (typeof methods !== 'object') continue;
    const reads = new Set(Object.keys((read as Record<string, object>)[repo] ?? {}));
    writes[repo] = {};
    for (const m of Object.keys(methods)) {
      names.push(`${repo}.${m}`);
      if (!reads.has(m)) (writes[repo] as Record<string, unknown>)[m] = true;
    }
  }
  return { ALL_METHODS: names, writeHalves: writes };
})();
