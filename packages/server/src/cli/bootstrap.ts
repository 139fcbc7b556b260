import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  createRedirectProcessor,
  createSandboxProcessor,
  createStripeProcessor,
} from '@kassa/processors';
import { systemClock } from '../clock.ts';
import { type Config, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Parts } from '../parts.ts';
import { createPgStore } from '../store/postgres/pg-store.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/types.ts';

/** `http://127.0.0.1:12111` as the `stripe` package's host, port and protocol options. */
function apiAt(url: string | null) {
  if (!url) return undefined;
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? ('http' as const) : ('https' as const);
  return { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** The store KASSA_DATABASE_URL names: a PostgreSQL server, or the SQLite file. */
export async function openStore(config: Config, role = 'kassa'): Promise<Store> {
  if (config.postgres) {
    return createPgStore({
      url: config.postgres.url,
      schema: config.postgres.schema,
      poolSize: config.postgres.poolSize,
      statementTimeoutMs: config.postgres.statementTimeoutMs,
      applicationName: role,
    });
  }
  return createSqliteStore({
    filename: config.databasePath,
    synchronous: config.sqliteSynchronous,
    cacheMb: config.sqliteCacheMb,
  });
}

/** What the database is, for messages: never the password. */
export const databaseLabel = (config: Config) =>
  config.postgres
    ? `PostgreSQL ${new URL(config.postgres.url).host}${new URL(config.postgres.url).pathname}`
    : `SQLite ${config.databasePath}`;

/** The gateway's parts as `kassa start` and `kassa worker` build them from the environment. */
export async function bootstrap(role = 'kassa'): Promise<Parts> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const store = await openStore(config, role);
  // The registry: one line per adapter. Adapters that need a merchant's own account
  // (Stripe) serve only merchants who connected one (`kassa processors set`).
  const processors = {
    stripe: createStripeProcessor({
      api: apiAt(config.stripeApiUrl),
      // stripe-node's tries and retries fit inside Kassa's own give-up.
      callBudgetMs: config.processorTimeoutMs,
    }),
    sandbox: createSandboxProcessor({
      latencyMs: config.sandbox.latencyMs,
      asyncDelayMs: config.sandbox.asyncDelayMs,
      notificationSecret: config.sandbox.notificationSecret,
      // The sandbox's books, beside the database, so settlement reports survive restarts.
      ledgerFile: config.dataDir ? join(config.dataDir, 'sandbox-ledger.jsonl') : undefined,
    }),
    redirect: createRedirectProcessor({
      secret: config.redirectSecret,
      // The external app's books: what it was asked for and what the shopper approved.
      ledgerFile: config.dataDir ? join(config.dataDir, 'redirect-ledger.jsonl') : undefined,
    }),
  };
  return { store, processors, clock: systemClock, config, logger };
}

const SECRETS_SETTING = 'install_secrets_sha256';

/**
 * Refuses to start with install secrets other than the ones the database was first
 * started with: another machine's process without the same kassa-secrets.json (or
 * KASSA_* secrets) would sign and check notifications, fingerprints and client keys with
 * keys of its own. Only a SHA-256 of the random keys is stored; it rebuilds nothing.
 */
export async function checkInstallSecrets(deps: Pick<Parts, 'store' | 'config'>) {
  const c = deps.config;
  const digest = createHash('sha256')
    .update(
      [
        'kassa-install-secrets-v1',
        c.fingerprintSecret,
        c.sandbox.notificationSecret,
        c.redirectSecret,
        c.clientKeySecret,
      ].join('\n'),
    )
    .digest('hex');
  const accept = process.env.KASSA_ACCEPT_NEW_SECRETS === '1';
  const same = await deps.store.transaction(async (tx) => {
    if (await tx.settings.claim(SECRETS_SETTING, digest)) return true;
    if ((await tx.settings.get(SECRETS_SETTING)) === digest) return true;
    if (!accept) return false;
    await tx.settings.set(SECRETS_SETTING, digest);
    return true;
  });
  if (!same) {
    await deps.store.close();
    throw new Error(
      `this process's install secrets differ from those ${databaseLabel(c)} was started with. ` +
        `Give every gateway and worker process the same ${c.dataDir ? `${c.dataDir}/kassa-secrets.json` : 'kassa-secrets.json'} ` +
        '(or the same KASSA_FINGERPRINT_SECRET, KASSA_SANDBOX_NOTIFICATION_SECRET, KASSA_REDIRECT_SECRET and KASSA_CLIENT_KEY_SECRET); ' +
        'if you changed them on purpose, start once with KASSA_ACCEPT_NEW_SECRETS=1',
    );
  }
}

/** Stops cleanly on SIGINT/SIGTERM: no new work, running work finished, database closed. */
export function onShutdown(deps: Pick<Parts, 'store' | 'logger'>, stop: () => Promise<void>) {
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
