import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { PaymentFacts, SettlementRow } from './processor.ts';

/** A money-moving call a test processor carried out, by the gateway's operation id. */
export interface LedgerOperation {
  op: string;
  kind: 'authorize' | 'capture' | 'cancel' | 'refund';
  reference: string;
  amount: number;
  currency: string;
  /** What the sandbox answered; a repeat of the same operation id answers the same. */
  result: { status: string; reference?: string };
  at: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS operations (
    seq INTEGER PRIMARY KEY,
    op TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    result_reference TEXT,
    at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS operations_reference ON operations (reference, seq);
  CREATE TABLE IF NOT EXISTS settlements (
    seq INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    settled_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS settlements_at ON settlements (settled_at);
  CREATE TABLE IF NOT EXISTS bookers (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  );
`;

interface OperationRow {
  op: string;
  kind: LedgerOperation['kind'];
  reference: string;
  amount: number;
  currency: string;
  status: string;
  result_reference: string | null;
  at: number;
}

const operationOf = (r: OperationRow): LedgerOperation => ({
  op: r.op,
  kind: r.kind,
  reference: r.reference,
  amount: r.amount,
  currency: r.currency,
  result: {
    status: r.status,
    ...(r.result_reference !== null && { reference: r.result_reference }),
  },
  at: r.at,
});

/**
 * The books of a test processor (the sandbox, the redirect app): what it settled, by
 * reference — the source of its settlement reports — and every authorisation, capture,
 * cancel and refund it carried out, by operation id, as a real processor's records and
 * idempotency keys. A SQLite database of its own (in memory when no file is given), so
 * the books survive a restart and weigh nothing on the gateway's memory however many
 * payments they hold. Every process given the same file (gateways and workers sharing
 * KASSA_DATA_DIR) shares the books, as one external processor would. A booking is
 * committed before the call that made it answers, as a real processor persists before
 * it answers.
 *
 * Books kept as JSON lines by earlier versions (`<name>.jsonl` beside the file) are
 * taken in once, and that file renamed `.jsonl.imported`.
 */
export function createLedger(file?: string): Ledger {
  if (!file) return openLedger();
  // One connection per file in a process: bookings hold a transaction open until the end of
  // the event loop's turn, which a second connection of the same thread would wait for in
  // vain (its wait blocks that very turn).
  const key = resolve(file);
  let ledger = openLedgers.get(key);
  if (!ledger) {
    ledger = openLedger(file);
    openLedgers.set(key, ledger);
  }
  return ledger;
}

const openLedgers = new Map<string, Ledger>();

function openLedger(file?: string) {
  if (file) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file ?? ':memory:');
  db.pragma('journal_mode = WAL');
  // Committed to the WAL before a call answers; a power cut may lose the last ones, a
  // crash of the process does not (as the gateway's own SQLite store).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const insertOperation = db.prepare(
    `INSERT INTO operations (op, kind, reference, amount, currency, status, result_reference, at)
     VALUES (@op, @kind, @reference, @amount, @currency, @status, @result_reference, @at)
     ON CONFLICT (op) DO NOTHING`,
  );
  const upsertSettlement = db.prepare(
    `INSERT INTO settlements (reference, amount, currency, status, settled_at)
     VALUES (@reference, @amount, @currency, @status, @settled_at)
     ON CONFLICT (reference) DO UPDATE SET amount = excluded.amount,
       currency = excluded.currency, status = excluded.status, settled_at = excluded.settled_at
     WHERE settlements.status IS NOT excluded.status OR settlements.amount IS NOT excluded.amount`,
  );
  const operationById = db.prepare<[string], OperationRow>('SELECT * FROM operations WHERE op = ?');
  const operationsOn = db.prepare<[string], OperationRow>(
    'SELECT * FROM operations WHERE reference = ? ORDER BY seq',
  );
  const settledRow = db.prepare<[string], SettlementRow>(
    'SELECT reference, amount, currency, status, settled_at FROM settlements WHERE reference = ?',
  );
  const settledBetween = db.prepare<[number, number], SettlementRow>(
    `SELECT reference, amount, currency, status, settled_at FROM settlements
     WHERE settled_at >= ? AND settled_at < ? ORDER BY seq`,
  );

  const bookOperation = (o: LedgerOperation) =>
    insertOperation.run({
      op: o.op,
      kind: o.kind,
      reference: o.reference,
      amount: o.amount,
      currency: o.currency,
      status: o.result.status,
      result_reference: o.result.reference ?? null,
      at: o.at,
    });
  const bookSettlement = (row: SettlementRow) =>
    upsertSettlement.run({
      reference: row.reference,
      amount: row.amount,
      currency: row.currency,
      status: row.status,
      settled_at: row.settled_at,
    });

  if (file) importJsonLines(db, file, bookOperation, bookSettlement);
  const booked = committedAfterTurn(db);

  return {
    async record(row: SettlementRow): Promise<void> {
      await booked(() => bookSettlement(row));
    },
    between(from: number, to: number): SettlementRow[] {
      return settledBetween.all(from, to);
    },
    /** The settled row of one payment, if it settled. */
    settled: (reference: string): SettlementRow | undefined => settledRow.get(reference),
    operation: (op: string): LedgerOperation | undefined => {
      const r = operationById.get(op);
      return r ? operationOf(r) : undefined;
    },
    /** Operations on one payment, oldest first. */
    operationsOn: (reference: string): LedgerOperation[] =>
      operationsOn.all(reference).map(operationOf),
    /** The authorisation that started a payment: what it was for. */
    authorization: (reference: string): LedgerOperation | undefined => {
      const auth = authorizationIn(operationsOn.all(reference));
      return auth ? operationOf(auth) : undefined;
    },
    /**
     * Books an operation, and answers with the one booked under its id: this one, or the
     * first if another call booked the same id meanwhile (as a processor answers a
     * repeated idempotency key).
     */
    async recordOperation(o: LedgerOperation): Promise<LedgerOperation> {
      await booked(() => bookOperation(o));
      const r = operationById.get(o.op);
      return r ? operationOf(r) : o;
    },
    /** What the processor's record says a payment is for: its authorisation's amount,
     * currency and Kassa attempt id (test mode), and what was captured. */
    factsOf(reference: string): PaymentFacts | undefined {
      const ops = operationsOn.all(reference);
      const auth = authorizationIn(ops);
      if (!auth) return undefined;
      const captured = ops.find((o) => o.kind === 'capture' && o.status === 'succeeded');
      return {
        amount: auth.amount,
        currency: auth.currency.toUpperCase(),
        livemode: false,
        kassa: { attempt: auth.op },
        ...(captured && { amountReceived: captured.amount }),
      };
    },
  };
}

/**
 * Bookings made in one turn of the event loop share one transaction, committed at the end
 * of the turn: under load the books cost a commit per turn, not two per payment. A
 * booking is written at once, inside that open transaction, so every read of this process
 * sees it at once (a capture, cancel or refund is checked against what is booked, with
 * nothing in between, as before); a booking that fails throws at once and alone (SQLite
 * undoes a failing statement, not its transaction). Its caller hears only after the
 * commit, and hears the commit's error if it fails.
 *
 * That holds the file's write lock for the rest of the turn, which another process booking
 * in the same file would wait for with its whole event loop stopped (SQLite's busy wait).
 * So bookings are grouped only while no other process has booked in the file lately: each
 * process stamps the `bookers` table as it books (at most once a second), and while another
 * stamp is fresh every booking is committed on its own. Only speed depends on the stamps,
 * never what is booked.
 */
function committedAfterTurn(db: Database.Database) {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const me = randomUUID();
  const stamp = db.prepare(
    'INSERT INTO bookers (id, at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at',
  );
  const othersSince = db.prepare<[string, number], unknown>(
    'SELECT 1 FROM bookers WHERE id <> ? AND at >= ? LIMIT 1',
  );
  const forget = db.prepare<[number]>('DELETE FROM bookers WHERE at < ?');
  let stampedAt = Number.NEGATIVE_INFINITY;
  let alone = true;
  /** Stamps this process as a booker (a commit of its own, once a second), and looks whether
   * another booked lately. */
  const look = () => {
    const now = Date.now();
    if (now - stampedAt < STAMP_EVERY_MS) return;
    stampedAt = now;
    stamp.run(me, now);
    forget.run(now - 60 * STAMP_FRESH_MS);
    alone = othersSince.get(me, now - STAMP_FRESH_MS) === undefined;
  };

  let group: { resolve: () => void; reject: (err: unknown) => void }[] | null = null;
  const end = (err?: unknown) => {
    const ended = group ?? [];
    group = null;
    for (const g of ended) err === undefined ? g.resolve() : g.reject(err);
  };
  const flush = () => {
    if (!group) return;
    try {
      commit.run();
      end();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      end(err);
    }
  };
  return async <T>(write: () => T): Promise<T> => {
    if (!group) {
      look();
      // Shared: this booking committed on its own before it answers.
      if (!alone) return db.transaction(write).immediate();
      begin.run();
      group = [];
      setImmediate(flush);
    }
    let result: T;
    try {
      result = write();
    } catch (err) {
      // An error that undid the whole transaction (not one statement) fails its group.
      if (!db.inTransaction) end(err);
      throw err;
    }
    await new Promise<void>((resolve, reject) => group?.push({ resolve, reject }));
    return result;
  };
}

/** How often a booking process stamps the books, and how long a stamp says it is booking. */
const STAMP_EVERY_MS = 1_000;
const STAMP_FRESH_MS = 5_000;

const authorizationIn = (ops: OperationRow[]) => ops.find((o) => o.kind === 'authorize');

/** Takes in the JSON-lines books an earlier version kept beside `file`, once. */
function importJsonLines(
  db: Database.Database,
  file: string,
  bookOperation: (o: LedgerOperation) => unknown,
  bookSettlement: (r: SettlementRow) => unknown,
) {
  const legacy = `${file.replace(/\.(db|sqlite)$/, '')}.jsonl`;
  if (legacy === file || !existsSync(legacy)) return;
  const imported = db.transaction(() => {
    // Another process sharing the books may have taken them in first.
    if (!existsSync(legacy)) return false;
    for (const line of readFileSync(legacy, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as SettlementRow | LedgerOperation;
      if ('op' in row) bookOperation(row);
      else bookSettlement(row);
    }
    return true;
  });
  if (!imported.immediate()) return;
  try {
    renameSync(legacy, `${legacy}.imported`);
  } catch (err) {
    // Taken in (idempotently) and renamed by another process meanwhile.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export type Ledger = ReturnType<typeof openLedger>;
