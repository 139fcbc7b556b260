import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgStore } from '../store/postgres/pg-store.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/types.ts';

/** The PostgreSQL the tests use: every machine of this project runs one here. */
export const TEST_DATABASE_URL =
  process.env.KASSA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which store the server's tests run on: `KASSA_TEST_STORE=postgres` (a vitest project
 * sets it) or SQLite in memory. */
export const testStoreKind = (): 'sqlite' | 'postgres' =>
  process.env.KASSA_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** Whether a PostgreSQL server answers at `url` within a second; the reason if not. */
export async function probePostgres(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const open: { store: Store; inTest: boolean }[] = [];

function currentTest(): boolean {
  const state = (globalThis as { expect?: { getState(): { currentTestName?: string } } }).expect;
  try {
    return Boolean(state?.getState().currentTestName);
  } catch {
    return false;
  }
}

/**
 * A fresh, empty PostgreSQL schema with Kassa's tables, as a store. Closing it drops the
 * schema. Stores a test leaves open are closed after it (see vitest.setup.ts).
 */
export async function createTestPgStore(opts: { schema?: string; poolSize?: number } = {}) {
  const schema = opts.schema ?? `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  const store = await createPgStore({
    url: TEST_DATABASE_URL,
    schema,
    poolSize: opts.poolSize ?? 4,
    applicationName: 'kassa-test',
  });
  let closed = false;
  const owned: Store = {
    ...store,
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
      await dropPgSchema(schema);
    },
  };
  open.push({ store: owned, inTest: currentTest() });
  return Object.assign(owned, { schema });
}

/** Another connection pool on the same schema: a second process's view, in one test. */
export async function openPgSchema(schema: string, poolSize = 4): Promise<Store> {
  const store = await createPgStore({ url: TEST_DATABASE_URL, schema, poolSize });
  open.push({ store, inTest: currentTest() });
  return store;
}

/** Drops a schema and everything in it. */
export async function dropPgSchema(schema: string, url = TEST_DATABASE_URL) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The store the server's tests run on (see `testStoreKind`). */
export async function createTestStore(opts: { filename?: string } = {}): Promise<Store> {
  if (testStoreKind() === 'postgres' && !opts.filename) return createTestPgStore();
  return createSqliteStore({ filename: opts.filename ?? ':memory:' });
}

/** Closes stores the tests left open: those made in a test after it, the rest at the end. */
export async function closeTestStores(which: 'test' | 'all') {
  const closing = open.filter((o) => which === 'all' || o.inTest);
  for (const o of closing) open.splice(open.indexOf(o), 1);
  await Promise.all(closing.map((o) => o.store.close().catch(() => undefined)));
}
