import { defineConfig } from 'vitest/config';

/**
 * Two projects: everything on the embedded SQLite store, and the gateway's own suite
 * again on PostgreSQL (each gateway in a schema of its own). Without a PostgreSQL server
 * the second project still runs and every one of its tests fails with the reason, unless
 * KASSA_SKIP_POSTGRES=1 says to leave it out, which is printed loudly.
 */
const skipPostgres = process.env.KASSA_SKIP_POSTGRES === '1';
if (skipPostgres) {
  process.stderr.write(
    '\n!!! KASSA_SKIP_POSTGRES=1: the server suite on PostgreSQL is NOT run.\n\n',
  );
}

const shared = { testTimeout: 20_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'sqlite',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          ...shared,
        },
      },
      ...(skipPostgres
        ? []
        : [
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
          ]),
    ],
  },
});
