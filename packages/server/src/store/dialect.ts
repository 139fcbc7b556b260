import type { Executor } from './executor.ts';
import type {
  ApiKeyRow,
  AttemptRow,
  ClaimBounds,
  DashboardSessionRow,
  DashboardUserRow,
  EventRow,
  IdempotencyRow,
  IntentRow,
  JobRow,
  MerchantRow,
  ProcessorAccountRow,
  ProcessorNotificationRow,
  ReconciliationRunRow,
  RefundRow,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
} from './rows.ts';
import { codec, type DriverValues } from './schema/codec.ts';
import * as t from './schema/tables.ts';
import type { Sql } from './sql.ts';

/** Every table's codec for one dialect's driver values. */
export function codecsFor(values: DriverValues) {
  return {
    settings: codec<{ key: string; value: string }>(t.settings, values),
    merchants: codec<MerchantRow>(t.merchants, values),
    apiKeys: codec<ApiKeyRow>(t.apiKeys, values),
    intents: codec<IntentRow>(t.paymentIntents, values),
    attempts: codec<AttemptRow>(t.paymentAttempts, values),
    events: codec<EventRow & { seq: number }>(t.events, values),
    idempotency: codec<IdempotencyRow>(t.idempotencyKeys, values),
    jobs: codec<JobRow>(t.jobs, values),
    endpoints: codec<WebhookEndpointRow>(t.webhookEndpoints, values),
    deliveries: codec<WebhookDeliveryRow>(t.webhookDeliveries, values),
    webhookAttempts: codec<WebhookAttemptRow & { id: number }>(t.webhookAttempts, values),
    notifications: codec<ProcessorNotificationRow>(t.processorNotifications, values),
    accounts: codec<ProcessorAccountRow>(t.processorAccounts, values),
    refunds: codec<RefundRow>(t.refunds, values),
    reconciliation: codec<ReconciliationRunRow>(t.reconciliationRuns, values),
    users: codec<DashboardUserRow>(t.dashboardUsers, values),
    sessions: codec<DashboardSessionRow>(t.dashboardSessions, values),
  };
}

export type Codecs = ReturnType<typeof codecsFor>;

/** The job queue's claims: how each database bounds and orders them is its own. */
export interface JobClaims {
  claim(now: number, limit: number, lockUntil: number, bounds: ClaimBounds): Promise<JobRow[]>;
}

/**
 * What truly differs between SQLite and PostgreSQL for the repositories, which are
 * otherwise written once: a few SQL fragments, the job claims and the rollup's fold.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  readonly codecs: Codecs;
  /** `column IN (…values)` (SQLite) or `column = ANY(…)` (PostgreSQL). */
  inList(column: string, values: readonly unknown[]): Sql;
  /** The larger of two numbers: `max` (SQLite) or `greatest` (PostgreSQL). */
  readonly greatest: string;
  /** After a SELECT of rows to change: lock them, passing over rows another transaction
   * holds (`FOR UPDATE SKIP LOCKED`); nothing on SQLite, whose one writer holds them all. */
  readonly skipLocked: string;
  /** The job claims on one connection (they keep a cursor between claims). */
  claims(ex: Executor): JobClaims;
  /** Folds up to `limit` of the overview's oldest changes into its hourly rows. */
  foldStats(ex: Executor, limit: number): Promise<number>;
}
