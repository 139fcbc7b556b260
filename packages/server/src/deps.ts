import type { Metrics } from './metrics/metrics.ts';
import type { Parts } from './parts.ts';
import type { Accounts } from './processors/accounts.ts';
import type { Routing } from './processors/routing.ts';

/**
 * The collaborators `createGateway` builds once from the parts and hands on: the timed
 * store, the metrics, merchants' sealed processor accounts, and the routing of payments
 * to adapters. A service takes the ones it uses (`Pick<Deps, …>`).
 */
export interface Deps extends Parts {
  metrics: Metrics;
  accounts: Accounts;
  routing: Routing;
}
