import { createGateway } from '../app.ts';
import { systemClock } from '../clock.ts';
import { testConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';

/**
 * `kassa openapi`: prints the OpenAPI document the gateway serves at /openapi.json, for
 * linters and client generators. Nothing is started: only the routes and the public URL
 * (KASSA_PUBLIC_URL) go into the document, so a throwaway in-memory gateway is built.
 * `--dashboard`: the document of the dashboard's JSON API instead.
 */
export async function openApiCommand(opts: { dashboard?: boolean } = {}) {
  const store = createSqliteStore({ filename: ':memory:' });
  try {
    const { spec, dashboardSpec } = createGateway({
      store,
      processors: {},
      clock: systemClock,
      config: testConfig({ publicUrl: process.env.KASSA_PUBLIC_URL ?? 'http://localhost:8000' }),
      logger: createLogger({ level: 'silent' }),
    });
    process.stdout.write(`${JSON.stringify(opts.dashboard ? dashboardSpec() : spec(), null, 2)}\n`);
  } finally {
    await store.close();
  }
}
