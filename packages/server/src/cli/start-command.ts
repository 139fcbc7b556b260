import { serve } from '@hono/node-server';
import { createSandboxProcessor } from '@kassa/processors';
import { createGateway } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { ensureDemoMerchant } from '../merchants/merchants.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';

/** `kassa start`: migrate, make sure the demo merchant exists, serve, run the worker. */
export async function startCommand() {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const store = createSqliteStore({ filename: config.databasePath });
  const processors = {
    sandbox: createSandboxProcessor({
      latencyMs: config.sandbox.latencyMs,
      asyncDelayMs: config.sandbox.asyncDelayMs,
    }),
  };
  const deps = { store, processors, clock: systemClock, config, logger };
  const demo = await ensureDemoMerchant(store, systemClock, config.demoOrigins);
  const { app, worker } = createGateway(deps);

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    worker.start();
    process.stdout.write(
      [
        '',
        `Kassa gateway listening on ${config.publicUrl} (bound to ${info.address}:${info.port})`,
        `  database:    ${config.databasePath}`,
        `  API docs:    ${config.publicUrl}/docs`,
        `  health:      ${config.publicUrl}/healthz`,
        `Demo merchant ${demo.merchant_id}${demo.created ? ' (created now)' : ''}, test mode:`,
        `  publishable key: ${demo.publishable_key}`,
        `  secret key:      ${demo.secret_key}`,
        '',
      ].join('\n'),
    );
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    await worker.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
