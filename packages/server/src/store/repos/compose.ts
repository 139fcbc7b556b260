import type { ConfigCache } from '../config-cache.ts';
import type { Dialect } from '../dialect.ts';
import type { Executor } from '../executor.ts';
import { apiKeysRepository } from './api-keys.ts';
import { attemptsRepository } from './attempts.ts';
import { dashboardSessionsRepository } from './dashboard-sessions.ts';
import { dashboardUsersRepository } from './dashboard-users.ts';
import { eventsRepository } from './events.ts';
import { idempotencyRepository } from './idempotency-keys.ts';
import { intentsRepository } from './intents.ts';
import { jobsRepository } from './jobs.ts';
import { merchantsRepository } from './merchants.ts';
import { overviewRepository } from './overview.ts';
import { processorAccountsRepository } from './processor-accounts.ts';
import { processorNotificationsRepository } from './processor-notifications.ts';
import { rateLimitsRepository } from './rate-limits.ts';
import { reconciliationRunsRepository } from './reconciliation-runs.ts';
import { refundsRepository } from './refunds.ts';
import type { MakeRepository } from './repository.ts';
import { settingsRepository } from './settings.ts';
import { webhookDeliveriesRepository } from './webhook-deliveries.ts';
import { webhookEndpointsRepository } from './webhook-endpoints.ts';

/** Every repository, by the name a transaction's `tx` gives it. */
export const REPOSITORIES = {
  settings: settingsRepository,
  merchants: merchantsRepository,
  apiKeys: apiKeysRepository,
  accounts: processorAccountsRepository,
  users: dashboardUsersRepository,
  sessions: dashboardSessionsRepository,
  intents: intentsRepository,
  attempts: attemptsRepository,
  refunds: refundsRepository,
  events: eventsRepository,
  endpoints: webhookEndpointsRepository,
  deliveries: webhookDeliveriesRepository,
  notifications: processorNotificationsRepository,
  reconciliation: reconciliationRunsRepository,
  idempotency: idempotencyRepository,
  rateLimits: rateLimitsRepository,
  jobs: jobsRepository,
  overview: overviewRepository,
};

type Repos = typeof REPOSITORIES;
type Halves<K extends keyof Repos> = ReturnType<Repos[K]>;

/** Everything a read may do, by aggregate: no write method at all. */
export type StoreRead = { readonly [K in keyof Repos]: Halves<K>['read'] };

/** Everything a write transaction may do, by aggregate, besides reading. Writes that
 * others may race are condition-checked in the database: they report (false, null) when
 * the row moved on, and the caller decides what that means; none reads, checks and
 * writes in two steps. */
export type StoreTx = {
  readonly [K in keyof Repos]: Halves<K>['read'] & Halves<K>['write'];
} & {
  /** Runs `fn` once this transaction commits; never if it rolls back. */
  afterCommit(fn: () => void): void;
};

/** A connection's repositories: the transaction's view and the read view (read halves
 * only), built once per connection. */
export function createRepositories(ex: Executor, dialect: Dialect, cache: ConfigCache) {
  const tx: Record<string, unknown> = {
    afterCommit: (fn: () => void) => ex.commit.afterCommit(fn),
  };
  const read: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(REPOSITORIES) as [
    string,
    MakeRepository<object, object>,
  ][]) {
    const r = make(ex, dialect, cache);
    tx[name] = { ...r.read, ...r.write };
    read[name] = r.read;
  }
  return { tx: tx as StoreTx, read: read as StoreRead };
}
