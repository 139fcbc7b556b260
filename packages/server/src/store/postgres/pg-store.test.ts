import { describe, it } from 'vitest';
import {
  createTestPgStore,
  openPgSchema,
  probePostgres,
  TEST_DATABASE_URL,
} from '../../testing/test-store.ts';
import { testStore } from '../testing/store-suite.ts';

const unreachable = await probePostgres();
if (unreachable && process.env.KASSA_REQUIRE_POSTGRES === '1') {
  throw new Error(
    `KASSA_REQUIRE_POSTGRES=1 but PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${unreachable}`,
  );
}

if (unreachable) {
  // Loud, and in the report: a skipped PostgreSQL half is never silent.
  process.stderr.write(
    `\n!!! PostgreSQL store suite SKIPPED: ${TEST_DATABASE_URL} is unreachable (${unreachable}).\n` +
      '!!! Set KASSA_TEST_DATABASE_URL or start PostgreSQL to run it.\n\n',
  );
  describe('store contract: postgres', () => {
    it.skip(`skipped: PostgreSQL unreachable at ${TEST_DATABASE_URL}`, () => {});
  });
} else {
  // Two pools on one schema: every race below is two connections, as two processes are.
  testStore({
    name: 'postgres',
    create: () => createTestPgStore(),
    connect: (store) => openPgSchema((store as unknown as { schema: string }).schema),
    wakesOtherConnections: true,
  });
}
