import type { Processor } from '@kassa/processors';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { Store } from './store/types.ts';

/** What a gateway is built from: the CLI, the tests and e2e give these to `createGateway`. */
export interface Parts {
  store: Store;
  processors: Record<string, Processor>;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** Prometheus metrics; `createGateway` makes them when left out. */
  metrics?: Metrics;
}
