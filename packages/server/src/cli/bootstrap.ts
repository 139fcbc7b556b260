import { createHash } from 'node:crypto';
import { systemClock } from '../clock.ts';
import { type Config, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Parts } from '../parts.ts';
import { defaultProcessors } from '../processors/registry.ts';
import { createPgStore } from '../store/postgres/pg-store.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/types.ts';

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
  return { store, processors: defaultProcessors(config), clock: systemClock, config, logger };
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
