import { dirname, join } from 'node:path';
import { createRedirectProcessor, createSandboxProcessor } from '@kassa/processors';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';

/** The gateway's parts as `kassa start` and `kassa worker` build them from the environment. */
export function bootstrap(): Deps {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const store = createSqliteStore({
    filename: config.databasePath,
    synchronous: config.sqliteSynchronous,
    cacheMb: config.sqliteCacheMb,
  });
  const processors = {
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
