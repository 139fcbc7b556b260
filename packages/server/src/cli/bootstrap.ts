import { dirname, join } from 'node:path';
import {
  createRedirectProcessor,
  createSandboxProcessor,
  createStripeProcessor,
} from '@kassa/processors';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';

/** `http://127.0.0.1:12111` as the `stripe` package's host, port and protocol options. */
function apiAt(url: string | null) {
  if (!url) return undefined;
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? ('http' as const) : ('https' as const);
  return { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** The gateway's parts as `kassa start` and `kassa worker` build them from the environment. */
export function bootstrap(): Deps {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const store = createSqliteStore({
    filename: config.databasePath,
    synchronous: config.sqliteSynchronous,
    cacheMb: config.sqliteCacheMb,
  });
  // The registry: one line per adapter. Adapters that need a merchant's own account
  // (Stripe) serve only merchants who connected one (`kassa processors set`).
  const processors = {
    stripe: createStripeProcessor({ api: apiAt(config.stripeApiUrl) }),
    sandbox: createSandboxProcessor({
      latencyMs: config.sandbox.latencyMs,
      asyncDelayMs: config.sandbox.asyncDelayMs,
      notificationSecret: config.sandbox.notificationSecret,
      // The sandbox's books, beside the database, so settlement reports survive restarts.
      ledgerFile:
        config.databasePath === ':memory:'
          ? undefined
          : join(dirname(config.databasePath), 'sandbox-ledger.jsonl'),
    }),
    redirect: createRedirectProcessor({ secret: config.redirectSecret }),
  };
  return { store, processors, clock: systemClock, config, logger };
}

/** Stops cleanly on SIGINT/SIGTERM: no new work, running work finished, database closed. */
export function onShutdown(deps: Deps, stop: () => Promise<void>) {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    deps.logger.info({ signal }, 'shutting down');
    await stop();
    await deps.store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
