import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { beforeEach, describe, expect, it } from 'vitest';
import * as s from './schema.ts';
import { createWriteStatements, type WriteStatements } from './statements.ts';

const MIGRATIONS = new URL('./migrations', import.meta.url).pathname;

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

describe('prepared writes', () => {
  let sqlite: Database.Database;
  let w: WriteStatements;
  const raw = (id: string) =>
    sqlite.prepare('SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as Record<
      string,
      unknown
    >;

  beforeEach(() => {
    sqlite = new Database(':memory:');
    migrate(drizzle(sqlite, { schema: s }), { migrationsFolder: MIGRATIONS });
    w = createWriteStatements(sqlite);
    for (const id of ['mer_1', 'mer_2']) {
      w.insert(s.merchants, { id, name: id, allowedOrigins: [], createdAt: 1 });
    }
  });

  it('encode values as drizzle does, and null as SQL NULL (not the JSON text "null")', () => {
    w.insert(s.webhookEndpoints, endpoint);
    const row = raw('we_1');
    expect(row.enabled_events).toBe('["payment_intent.*"]');
    expect(row.failing).toBe(1);
    expect(row.livemode).toBe(0);
    expect(row.description).toBeNull();
    // Read back through drizzle, the row is the one written.
    const back = drizzle(sqlite, { schema: s }).select().from(s.webhookEndpoints).get();
    expect(back).toEqual(endpoint);
  });

  it('update only the fields given, and keep shapes with the same columns apart', () => {
    w.insert(s.webhookEndpoints, endpoint);
    w.insert(s.webhookEndpoints, { ...endpoint, id: 'we_2', merchantId: 'mer_2' });
    expect(
      w.update(s.webhookEndpoints, { failing: false, description: undefined }, { id: 'we_1' }),
    ).toBe(1);
    expect(raw('we_1').failing).toBe(0);
    expect(raw('we_1').url).toBe(endpoint.url);
    // Same columns, split differently between SET and WHERE: another statement.
    expect(
      w.update(s.webhookEndpoints, { failing: false }, { id: 'we_2', merchantId: 'mer_1' }),
    ).toBe(0);
    expect(raw('we_2').failing).toBe(1);
    expect(w.update(s.webhookEndpoints, { description: 'x' }, { id: 'we_2' })).toBe(1);
    expect(raw('we_2').description).toBe('x');
    expect(w.update(s.webhookEndpoints, { description: null }, { id: 'we_2' })).toBe(1);
    expect(raw('we_2').description).toBeNull();
  });

  it('make a unique clash a no-op only when asked', () => {
    expect(w.insert(s.webhookEndpoints, endpoint, { ignoreConflict: true })).toBe(1);
    expect(w.insert(s.webhookEndpoints, endpoint, { ignoreConflict: true })).toBe(0);
    expect(() => w.insert(s.webhookEndpoints, endpoint)).toThrow(/UNIQUE/);
  });
});
