import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store, StoreTx } from '../store/types.ts';

/** What a payment attempt came to, as counted. */
export interface PaymentOutcome {
  processor: string;
  method: string;
  /** succeeded, authorized, failed, requires_action, processing, returned */
  outcome: string;
  /** The decline code for failures; '' otherwise. */
  declineCode: string;
}

/**
 * Decline codes as metric labels: Stripe's published decline codes, the sandbox's and
 * Kassa's own. Anything else (a processor's new code, or text an attacker managed to put
 * there) is counted as `other`, so the label's values stay few and short.
 */
const DECLINE_CODES = new Set(
  (
    'approve_with_id authentication_required authentication_failed call_issuer card_not_supported ' +
    'card_velocity_exceeded currency_not_supported do_not_honor do_not_try_again duplicate_transaction ' +
    'expired_card fraudulent generic_decline incorrect_number incorrect_cvc incorrect_pin incorrect_zip ' +
    'insufficient_funds invalid_account invalid_amount invalid_cvc invalid_expiry_month invalid_expiry_year ' +
    'invalid_number invalid_pin issuer_not_available lost_card merchant_blacklist new_account_information_available ' +
    'no_action_taken not_permitted offline_pin_required online_or_offline_pin_required pickup_card ' +
    'pin_try_exceeded processing_error reenter_transaction restricted_card revocation_of_all_authorizations ' +
    'revocation_of_authorization security_violation service_not_allowed stolen_card stop_payment_order ' +
    'testmode_decline transaction_not_allowed try_again_later withdrawal_count_limit_exceeded ' +
    'card_declined payment_intent_authentication_failure declined_in_app upi_declined upi_expired ' +
    'abandoned canceled processor_mismatch authorization_expired authorization_released'
  ).split(' '),
);
const OUTCOMES = new Set([
  'succeeded',
  'authorized',
  'failed',
  'requires_action',
  'processing',
  'returned',
]);
export const declineLabel = (code: string) =>
  code === '' || DECLINE_CODES.has(code) ? code : 'other';

/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway. Counters that
 * describe writes are counted only once their transaction commits (`tx.afterCommit`), so a
 * rolled-back or retried transaction counts nothing twice; figures that must agree across
 * processes (the job queue) are read from the database when scraped.
 *
 * In `kassa start --processes N` each process keeps its own counters and the primary
 * serves their sum on `KASSA_METRICS_PORT` (prom-client's AggregatorRegistry); gauges read
 * from the database are not summed (`aggregator: 'max'`).
 */
export function createMetrics(opts: { defaults?: boolean; prefix?: string } = {}) {
  const registry = new Registry();
  const p = opts.prefix ?? 'kassa_';
  // Process figures: CPU, memory, event-loop lag (nodejs_eventloop_lag_*), GC, handles.
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });

  const http = new Histogram({
    name: `${p}http_request_duration_seconds`,
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const payments = new Counter({
    name: `${p}payment_outcomes_total`,
    help: 'Payment attempts by what they came to, by processor, method and decline code.',
    labelNames: ['processor', 'method', 'outcome', 'decline_code'],
    registers: [registry],
  });
  const webhookLatency = new Histogram({
    name: `${p}webhook_delivery_duration_seconds`,
    help: "Webhook delivery attempts: time to the merchant endpoint's answer (or failure).",
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: `${p}webhook_delivery_attempts_total`,
    help: 'Webhook delivery attempts by outcome and HTTP status class (2xx, 4xx, 5xx, none).',
    labelNames: ['outcome', 'status_class'],
    registers: [registry],
  });
  const storeLatency = new Histogram({
    name: `${p}store_call_duration_seconds`,
    help: 'Database work: a transaction (commit included) or a read, and whether it threw.',
    labelNames: ['kind', 'result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  const rejectedEvents = new Counter({
    name: `${p}processor_events_rejected_total`,
    help: 'Verified processor notifications refused because they name an object of another account or mode, or one that does not match, by processor and reason.',
    labelNames: ['processor', 'reason'],
    registers: [registry],
  });
  const mismatches = new Counter({
    name: `${p}processor_mismatches_total`,
    help: "Payments whose processor record differs from Kassa's intent (amount, currency, mode, ids): never recorded as paid.",
    labelNames: ['processor', 'field'],
    registers: [registry],
  });

  return {
    registry,
    httpRequest(route: string, method: string, status: number, seconds: number) {
      http.observe({ route, method, status: String(status) }, seconds);
    },
    /** Counted once `tx` commits. */
    paymentOutcome(tx: Pick<StoreTx, 'afterCommit'>, o: PaymentOutcome) {
      tx.afterCommit(() =>
        payments.inc({
          processor: o.processor,
          method: o.method,
          outcome: OUTCOMES.has(o.outcome) ? o.outcome : 'other',
          decline_code: declineLabel(o.declineCode),
        }),
      );
    },
    /** `reason` is one of a fixed set (REJECTIONS in intents/processor-notifications.ts). */
    processorEventRejected(processor: string, reason: string) {
      rejectedEvents.inc({ processor, reason });
    },
    /** Counted once `tx` commits. */
    processorMismatch(tx: Pick<StoreTx, 'afterCommit'>, processor: string, field: string) {
      tx.afterCommit(() => mismatches.inc({ processor, field }));
    },
    webhookAttempt(outcome: string, status: number | null, seconds: number) {
      const statusClass = status === null ? 'none' : `${Math.floor(status / 100)}xx`;
      webhookAttempts.inc({ outcome, status_class: statusClass });
      webhookLatency.observe({ outcome }, seconds);
    },
    /**
     * The store, timed, with `afterCommit` work run when a transaction commits (and
     * dropped when it throws; a store that runs `fn` again starts the list again). The
     * job queue and the connection pool are read from it when scraped.
     */
    instrument(store: Store): Store {
      // Children bound once: a label lookup per transaction cost more than the timing.
      const observe = {
        read: {
          ok: storeLatency.labels('read', 'ok'),
          error: storeLatency.labels('read', 'error'),
        },
        transaction: {
          ok: storeLatency.labels('transaction', 'ok'),
          error: storeLatency.labels('transaction', 'error'),
        },
      };
      const timed = async <T>(kind: 'transaction' | 'read', work: () => Promise<T>) => {
        const start = performance.now();
        try {
          const result = await work();
          observe[kind].ok.observe((performance.now() - start) / 1000);
          return result;
        } catch (err) {
          observe[kind].error.observe((performance.now() - start) / 1000);
          throw err;
        }
      };
      new Gauge({
        name: `${p}jobs`,
        help: 'Background jobs in the database by kind and status (every process).',
        labelNames: ['kind', 'status'],
        registers: [registry],
        aggregator: 'max',
        async collect() {
          const rows = await store.read((tx) => tx.jobs.stats(null));
          this.reset();
          for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.count));
        },
      });
      new Gauge({
        name: `${p}job_oldest_age_seconds`,
        help: 'Age of the oldest job waiting to run, by kind (due and not yet claimed).',
        labelNames: ['kind'],
        registers: [registry],
        aggregator: 'max',
        async collect() {
          const rows = await store.read((tx) => tx.jobs.stats(null));
          this.reset();
          const now = Date.now();
          for (const r of rows) {
            if (r.status !== 'queued') continue;
            this.set({ kind: r.kind }, Math.max(0, (now - Number(r.oldest)) / 1000));
          }
        },
      });
      if (store.connections) {
        const connections = store.connections.bind(store);
        new Gauge({
          name: `${p}store_connections`,
          help: "The database pool's connections: in use, idle, and requests waiting for one.",
          labelNames: ['state'],
          registers: [registry],
          collect() {
            const c = connections();
            this.set({ state: 'total' }, c.total);
            this.set({ state: 'idle' }, c.idle);
            this.set({ state: 'waiting' }, c.waiting);
          },
        });
      }
      return {
        ...store,
        read: (fn) => timed('read', () => store.read(fn)),
        transaction: (fn) => timed('transaction', () => store.transaction(fn)),
        once: (fn) => timed('transaction', () => store.once(fn)),
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
