import cluster from 'node:cluster';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { AggregatorRegistry } from 'prom-client';
import { createGateway } from '../app.ts';
import { ensureDemoMerchant } from '../merchants/merchants.ts';
import type { Parts } from '../parts.ts';
import { checkAccounts } from '../processors/accounts.ts';
import { bootstrap, checkInstallSecrets, databaseLabel, onShutdown } from './bootstrap.ts';

/** Stops here, database closed, when saved live credentials cannot be opened or this
 * process's install secrets are not the database's. */
async function refuseMisconfigured(deps: Parts) {
  try {
    await checkAccounts(deps);
  } catch (err) {
    await deps.store.close();
    throw err;
  }
  await checkInstallSecrets(deps);
}

/**
 * `kassa start [--processes N]`: migrate, make sure the demo merchant exists, serve, run
 * the worker. With N > 1 (PostgreSQL only) the first process checks and prepares the
 * database, then runs N gateway processes that share the port (node:cluster) and
 * replaces any that dies; each keeps nothing the others need in its memory.
 */
export async function startCommand(opts: { processes?: number } = {}) {
  if (cluster.isWorker) return serveGateway();
  const deps = await bootstrap('kassa-start');
  const { config } = deps;
  const processes = opts.processes ?? config.processes;
  if (processes > 1 && !config.postgres) {
    await deps.store.close();
    throw new Error(
      '--processes: several gateway processes need PostgreSQL (KASSA_DATABASE_URL=postgres://…); the SQLite file has one writer',
    );
  }
  await refuseMisconfigured(deps);
  // The demo merchant exists only in a demo install (`npm start` sets KASSA_DEMO).
  const demo = config.demo
    ? await ensureDemoMerchant(deps.store, deps.clock, config.demoOrigins, config.demoName)
    : null;
  const banner = (address: string, port: number) =>
    [
      '',
      `Kassa gateway listening on ${config.publicUrl} (bound to ${address}:${port})`,
      `  database:    ${databaseLabel(config)}`,
      `  processes:   ${processes === 1 ? '1 (this one)' : `${processes} gateway processes (pid ${process.pid} supervises)`}`,
      `  API docs:    ${config.publicUrl}/docs`,
      `  health:      ${config.publicUrl}/healthz`,
      `  worker:      ${config.runWorker ? (processes === 1 ? 'running in this process' : 'running in each gateway process') : 'off (run `kassa worker`)'}`,
      ...(demo
        ? [
            `Demo merchant ${demo.merchant_id}${demo.created ? ' (created now)' : ''}, test mode:`,
            `  publishable key: ${demo.publishable_key}`,
            `  secret key:      ${demo.secret_key}`,
          ]
        : ['Create a merchant and its keys with `kassa merchants create --name … --origin …`.']),
      '',
    ].join('\n');

  if (processes === 1) {
    const { app, worker, metrics } = createGateway(deps);
    const metricsServer = serveMetrics(deps, () => metrics.registry.metrics(), metrics.registry);
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
      if (config.runWorker) worker.start();
      process.stdout.write(banner(info.address, info.port));
    });
    explainListenErrors(server, deps);
    onShutdown(deps, async () => {
      metricsServer?.close();
      await new Promise((r) => server.close(r));
      await worker.stop();
    });
    return;
  }

  // The supervisor: holds no connection while the gateways run; it serves the sum of
  // their metrics (each answers over IPC) on the metrics port.
  await deps.store.close();
  const aggregate = new AggregatorRegistry();
  const metricsServer = serveMetrics(deps, () => aggregate.clusterMetrics(), aggregate);
  let stopping = false;
  let announced = false;
  const fork = () => {
    const child = cluster.fork({ KASSA_PROCESSES: String(processes) });
    child.on('message', (m: { type?: string; address?: string; port?: number }) => {
      if (m.type === 'listening' && !announced) {
        announced = true;
        process.stdout.write(banner(m.address ?? config.host, m.port ?? config.port));
      }
    });
  };
  for (let i = 0; i < processes; i++) fork();
  cluster.on('exit', (child, code, signal) => {
    if (stopping) return;
    // It said why (a port in use): another would fail the same way.
    if (code === CANNOT_LISTEN) {
      stop('SIGTERM', 1);
      return;
    }
    deps.logger.error(
      { pid: child.process.pid, code, signal },
      'a gateway process exited; starting another',
    );
    fork();
  });
  const stop = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = true;
    metricsServer?.close();
    const children = Object.values(cluster.workers ?? {}).filter((c) => !c?.isDead());
    let left = children.length;
    if (left === 0) process.exit(code);
    for (const child of children) {
      child?.once('exit', () => {
        if (--left === 0) process.exit(code);
      });
      child?.process.kill(signal);
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** How a gateway process that cannot listen exits: its supervisor does not replace it. */
const CANNOT_LISTEN = 78;

/** A port in use (or not ours to take) ends the process with a sentence, not a stack. */
function explainListenErrors(
  server: ReturnType<typeof serve>,
  deps: Pick<Parts, 'config' | 'store'>,
) {
  const { port, host } = deps.config;
  server.on('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(
      err.code === 'EADDRINUSE'
        ? `kassa: port ${port} on ${host} is in use (another Kassa, or another program, is listening there). Stop it, or start with KASSA_PORT=<another port>.\n`
        : `kassa: cannot listen on ${host}:${port}: ${err.message}\n`,
    );
    void deps.store.close().finally(() => process.exit(CANNOT_LISTEN));
  });
}

/**
 * `KASSA_METRICS_PORT`: `/metrics` on 127.0.0.1 only, for a Prometheus on this machine,
 * without the token the gateway's own port asks for.
 */
function serveMetrics(
  deps: Pick<Parts, 'config' | 'logger'>,
  render: () => Promise<string>,
  registry: { contentType: string },
) {
  const port = deps.config.metricsPort;
  if (!port) return null;
  const app = new Hono();
  app.get('/metrics', async (c) => {
    try {
      return c.body(await render(), 200, { 'content-type': registry.contentType });
    } catch (err) {
      deps.logger.error({ error: (err as Error).message }, 'metrics could not be collected');
      return c.text('metrics could not be collected', 500);
    }
  });
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  server.on('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(
      err.code === 'EADDRINUSE'
        ? `kassa: the metrics port ${port} on 127.0.0.1 is in use. Stop what listens there, or start with KASSA_METRICS_PORT=<another port>.\n`
        : `kassa: cannot serve metrics on 127.0.0.1:${port}: ${err.message}\n`,
    );
    process.exit(CANNOT_LISTEN);
  });
  return server;
}

/** One gateway process of `kassa start --processes N`. */
async function serveGateway() {
  // The supervisor asks each process for its metrics and serves the sum: this process
  // answers with its registry (an AggregatorRegistry made here adds prom-client's
  // listener for the supervisor's requests). Listening from the start, with nothing to
  // report while it boots: a process that did not answer would fail the supervisor's
  // every scrape for 5 s (prom-client's timeout), every process's counters with it.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([]);
  const deps = await bootstrap(`kassa-gateway-${process.pid}`);
  const { config } = deps;
  const { app, worker, metrics } = createGateway(deps);
  AggregatorRegistry.setRegistries([metrics.registry]);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    if (config.runWorker) worker.start();
    process.send?.({ type: 'listening', address: info.address, port: info.port });
  });
  explainListenErrors(server, deps);
  onShutdown(deps, async () => {
    await new Promise((r) => server.close(r));
    await worker.stop();
  });
}

/** `kassa worker`: the background worker alone (webhooks, async payments, expiry). Any
 * number may run, on any machine, against one PostgreSQL. */
export async function workerCommand() {
  const deps = await bootstrap(`kassa-worker-${process.pid}`);
  await refuseMisconfigured(deps);
  const { worker, metrics } = createGateway(deps);
  const metricsServer = serveMetrics(deps, () => metrics.registry.metrics(), metrics.registry);
  worker.start();
  process.stdout.write(`Kassa worker running on ${databaseLabel(deps.config)}\n`);
  onShutdown(deps, async () => {
    metricsServer?.close();
    await worker.stop();
  });
}
