import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type ShopDb = BetterSQLite3Database<typeof schema>;

const PRODUCTS = [
  {
    id: 'chai',
    name: 'Masala chai',
    description: 'Assam tea, ginger, cardamom.',
    price: 12000,
    currency: 'INR',
  },
  {
    id: 'filter',
    name: 'Filter coffee',
    description: 'Chicory blend, South Indian style.',
    price: 15000,
    currency: 'INR',
  },
  {
    id: 'samosa',
    name: 'Samosa box',
    description: 'Six, with tamarind chutney.',
    price: 18000,
    currency: 'INR',
  },
];

/** The shop's own SQLite database (not the gateway's), migrated and seeded on open. */
export function openShopDb(filename: string): ShopDb {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new Database(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: join(dirname(fileURLToPath(import.meta.url)), 'migrations') });
  db.insert(schema.products).values(PRODUCTS).onConflictDoNothing().run();
  db.insert(schema.customers)
    .values({ id: 'cus_asha', name: 'Asha Rao', email: 'asha@example.com' })
    .onConflictDoNothing()
    .run();
  db.insert(schema.wallets)
    .values({ customerId: 'cus_asha', balance: 0, currency: 'INR' })
    .onConflictDoNothing()
    .run();
  return db;
}
