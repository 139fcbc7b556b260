import { afterAll, afterEach, beforeAll } from 'vitest';
import { closeTestStores, probePostgres, TEST_DATABASE_URL } from './test-store.ts';

// The server suite on PostgreSQL: say at once, and in every test, when there is none.
beforeAll(async () => {
  const unreachable = await probePostgres();
  if (unreachable) {
    throw new Error(
      `PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${unreachable}). Start it, set KASSA_TEST_DATABASE_URL, or run with no PostgreSQL at all to leave this half out (it is then skipped, loudly).`,
    );
  }
});
afterEach(() => closeTestStores('test'));
afterAll(() => closeTestStores('all'));
