// The ceiling for a create on this stack: Hono on @hono/node-server, the body checked with
// zod, a bearer key compared, and one INSERT of an intent-shaped row with a unique order
// index — on SQLite (WAL, synchronous NORMAL, the inserts of one turn of the event loop
// committed together) or on PostgreSQL (one statement, one round trip). Nothing else:
// what Kassa's create costs beyond this is what the bench calls its overhead. Plain
// JavaScript, so it runs on node alone as the built gateway does (no loader's memory).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import pg from 'pg';
import { z } from 'zod';

const KEY = Buffer.from('sk_test_ideal');
const body = z.object({
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  order_id: z.string().min(1).max(255),
});
const COLUMNS = `(id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, amount BIGINT NOT NULL,
  currency TEXT NOT NULL, status TEXT NOT NULL, order_id TEXT NOT NULL,
  client_secret TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`;
const INSERT = `INSERT INTO intents (id, merchant_id, amount, currency, status, order_id, client_secret, created_at, updated_at)
  VALUES ($1, $2, $3, $4, 'requires_payment_method', $5, $6, $7, $8)`;

/** @returns {(row: unknown[]) => Promise<void>} */
function sqlite(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS intents ${COLUMNS};
    CREATE UNIQUE INDEX IF NOT EXISTS intents_order ON intents (merchant_id, order_id)`);
  const stmt = db.prepare(INSERT.replace(/\$\d/g, '?'));
  const all = db.transaction((rows) => {
    for (const r of rows) stmt.run(r);
  });
  let queued = [];
  return (row) =>
    new Promise((done) => {
      if (queued.length === 0) {
        setImmediate(() => {
          const group = queued;
          queued = [];
          all(group.map((g) => g.row));
          for (const g of group) g.done();
        });
      }
      queued.push({ row, done });
    });
}

async function postgres(url, schema) {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    options: `-c search_path=${schema}`,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await pool.query(`CREATE TABLE IF NOT EXISTS intents ${COLUMNS}`);
  await pool.query(
    'CREATE UNIQUE INDEX IF NOT EXISTS intents_order ON intents (merchant_id, order_id)',
  );
  return async (row) => {
    await pool.query({ name: 'ideal_insert', text: INSERT, values: row });
  };
}

const insert = process.env.IDEAL_DATABASE_URL
  ? await postgres(process.env.IDEAL_DATABASE_URL, process.env.IDEAL_SCHEMA ?? 'ideal')
  : sqlite(process.env.IDEAL_FILE ?? ':memory:');

const app = new Hono();
app.post('/v1/payment_intents', async (c) => {
  const presented = Buffer.from((c.req.header('authorization') ?? '').replace(/^Bearer /, ''));
  if (presented.length !== KEY.length || !timingSafeEqual(presented, KEY)) {
    return c.json({ error: { code: 'api_key_invalid' } }, 401);
  }
  const parsed = body.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: { code: 'parameter_invalid' } }, 400);
  const now = Date.now();
  const id = `pi_${randomBytes(12).toString('hex')}`;
  const secret = `${id}_secret_${randomBytes(12).toString('hex')}`;
  const { amount, currency, order_id } = parsed.data;
  await insert([id, 'mer_ideal', amount, currency, order_id, secret, now, now]);
  return c.json(
    { id, object: 'payment_intent', amount, currency, order_id, client_secret: secret },
    201,
  );
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => {
  process.stdout.write('listening\n');
});
