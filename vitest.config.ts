import { connect } from 'node:net';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: everything on the embedded SQLite store, and the gateway's own suite
 * again on PostgreSQL (each test gateway in a schema of its own), when a server answers
 * at KASSA_TEST_DATABASE_URL. When none does, that half is left out and this says so
 * loudly; with KASSA_REQUIRE_POSTGRES=1 (CI) it runs anyway and fails with the reason.
 */
const url = new URL(
  process.env.KASSA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });

const shared = { testTimeout: 20_000, hookTimeout: 30_000 };

export default defineConfig(async () => {
  const required = process.env.KASSA_REQUIRE_POSTGRES === '1';
  const up = await reachable(url.hostname || '127.0.0.1', Number(url.port || 5432));
  const withPostgres = up || required;
  if (!withPostgres) {
    process.stderr.write(
      `\n${'!'.repeat(78)}\n!!! PostgreSQL at ${url.host} is unreachable: the server suite on PostgreSQL is SKIPPED.\n!!! Start PostgreSQL or set KASSA_TEST_DATABASE_URL to run it (CI requires it).\n${'!'.repeat(78)}\n\n`,
    );
  }
  return {
    test: {
      projects: [
        {
          test: {
            name: 'sqlite',
            include: ['packages/*/src/**/*.test.{ts,tsx}', 'examples/*/src/**/*.test.ts'],
            ...shared,
          },
        },
        ...(withPostgres
          ? [
              {
                test: {
                  name: 'postgres',
                  include: ['packages/server/src/**/*.test.ts'],
                  // The store suite runs both stores in the first project already.
                  exclude: ['packages/server/src/store/**'],
                  env: { KASSA_TEST_STORE: 'postgres' },
                  setupFiles: ['packages/server/src/testing/pg-setup.ts'],
                  ...shared,
                },
              },
            ]
          : []),
      ],
    },
  };
});
