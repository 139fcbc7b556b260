import { serve } from '@hono/node-server';
import { createGateway } from '../app.ts';
import { ensureDemoMerchant } from '../merchants/merchants.ts';
import { checkAccounts } from '../processors/accounts.ts';
import { bootstrap, onShutdown } from './bootstrap.ts';

/** Stops here, database closed, when saved live credentials cannot be opened. */
async function refuseUnreadableAccounts(deps: ReturnType<typeof bootstrap>) {
  try {
    await checkAccounts(deps);
  } catch (err) {
    await deps.store.close();
    throw err;
  }
}

/** `kassa start`: migrate, make sure the demo merchant exists, serve, run the worker. */
export async function startCommand() {
  const deps = bootstrap();
  const { config } = deps;
  await refuseUnreadableAccounts(deps);
  // The demo merchant exists only in a demo install (`npm start` sets KASSA_DEMO).
  const demo = config.demo
    ? await ensureDemoMerchant(deps.store, deps.clock, config.demoOrigins)
    : null;
  const { app, worker } = createGateway(deps);

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    if (config.runWorker) worker.start();
    process.stdout.write(
      [
        '',
        `Kassa gateway listening on ${config.publicUrl} (bound to ${info.address}:${info.port})`,
        `  database:    ${config.databasePath}`,
        `  API docs:    ${config.publicUrl}/docs`,
        `  health:      ${config.publicUrl}/healthz`,
        `  worker:      ${config.runWorker ? 'running in this process' : 'off (run `kassa worker`)'}`,
        ...(demo
          ? [
              `Demo merchant ${demo.merchant_id}${demo.created ? ' (created now)' : ''}, test mode:`,
              `  publishable key: ${demo.publishable_key}`,
              `  secret key:      ${demo.secret_key}`,
            ]
          : ['Create a merchant and its keys with `kassa merchants create --name … --origin …`.']),
        '',
      ].join('\n'),
    );
  });

  onShutdown(deps, async () => {
    await new Promise((r) => server.close(r));
    await worker.stop();
  });
}

/** `kassa worker`: the background worker alone (webhooks, async payments, expiry). */
export async function workerCommand() {
  const deps = bootstrap();
  await refuseUnreadableAccounts(deps);
  const { worker } = createGateway(deps);
  worker.start();
  process.stdout.write(`Kassa worker running on ${deps.config.databasePath}\n`);
  onShutdown(deps, () => worker.stop());
}
