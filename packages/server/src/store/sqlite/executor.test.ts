import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { beforeEach, describe, expect, it } from 'vitest';
import { insertSql, row, sql, update } from '../executor.ts';
import { sqliteDialect } from './dialect.ts';
import { type SqliteExecutor, sqliteExecutor } from './executor.ts';

const MIGRATIONS = new URL('./migrations', import.meta.url).pathname;
const c = sqliteDialect.codecs.endpoints;

const endpoint = {
  id: 'we_1',
  merchantId: 'mer_1',
  livemode: false,
  url: 'http://127.0.0.1:1/hook',
  description: null,
  enabledEvents: ['payment_intent.*'],
  status: 'enabled' as const,
  failing: true,
  disabledReason: null,
  secret: 'whsec_a',
  previousSecret: null,
  previousSecretExpiresAt: null,
  createdAt: 1,
  deletedAt: null,
};

describe('statements written once, on SQLite', () => {
  let sqlite: Database.Database;
  let ex: SqliteExecutor;
  const raw = (id: string) =>
    sqlite.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as Record<
      string,
      unknown
    >;
  const insert = (r: object, ignoreConflict = false) =>
    ex.run(...insertSql(c, r as typeof endpoint, { ignoreConflict }).args);

  beforeEach(() => {
    sqlite = new Database(':memory:');
    migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS });
    ex = sqliteExecutor(sqlite);
    for (const id of ['mer_1', 'mer_2']) {
      sqlite
        .prepare(
          "INSERT INTO merchants (id, name, allowed_origins, created_at) VALUES (?, ?, '[]', 1)",
        )
        .run(id, id);
    }
  });

  it('encode JSON as text, booleans as 0/1 and null as SQL NULL (not the JSON text "null"); read back whole', async () => {
    await insert(endpoint);
    const stored = raw('we_1');
    expect(stored.enabled_events).toBe('["payment_intent.*"]');
    expect(stored.failing).toBe(1);
    expect(stored.livemode).toBe(0);
    expect(stored.description).toBeNull();
    expect(await row(ex, c, sql`SELECT * FROM webhook_endpoints WHERE id = ${'we_1'}`)).toEqual(
      endpoint,
    );
  });

  it('update only the fields given, and keep shapes with the same columns apart', async () => {
    await insert(endpoint);
    await insert({ ...endpoint, id: 'we_2', merchantId: 'mer_2' });
    expect(await update(ex, c, { failing: false, description: undefined }, { id: 'we_1' })).toBe(1);
    expect(raw('we_1').failing).toBe(0);
    expect(raw('we_1').url).toBe(endpoint.url);
    // Same columns, split differently between SET and WHERE: another statement.
    expect(await update(ex, c, { failing: false }, { id: 'we_2', merchantId: 'mer_1' })).toBe(0);
    expect(raw('we_2').failing).toBe(1);
    expect(await update(ex, c, { description: 'x' }, { id: 'we_2' })).toBe(1);
    expect(raw('we_2').description).toBe('x');
    expect(await update(ex, c, { description: null }, { id: 'we_2' })).toBe(1);
    expect(raw('we_2').description).toBeNull();
    expect(await update(ex, c, {}, { id: 'we_2' })).toBe(0);
  });

  it('make a unique clash a no-op only when asked', async () => {
    expect(await insert(endpoint, true)).toBe(1);
    expect(await insert(endpoint, true)).toBe(0);
    await expect(insert(endpoint)).rejects.toThrow(/UNIQUE/);
  });

  it('prepare each text once', async () => {
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((text: string) => {
      prepared++;
      return prepare(text);
    }) as typeof sqlite.prepare;
    const fresh = sqliteExecutor(sqlite);
    for (let i = 0; i < 5; i++) await fresh.all('SELECT * FROM merchants WHERE id = ?', ['mer_1']);
    expect(prepared).toBe(1);
  });
});
