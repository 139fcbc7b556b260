import { fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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

/**
 * The books of a test processor (the sandbox, the redirect app): what it settled, by
 * reference — the source of its settlement reports — and every authorisation, capture,
 * cancel and refund it carried out, by operation id, as a real processor's records and
 * idempotency keys. Kept in memory and, when given a file, appended
 * to it as JSON lines so that both survive a restart. Every process given the same file
 * (gateways and workers sharing KASSA_DATA_DIR) shares the books: each reads what the
 * others appended before it answers, as one external processor would. A booking is on
 * the file before the call that made it answers (as a real processor persists before it
 * answers), written off the event loop: the bookings of one turn are appended together.
 */
export function createLedger(file?: string) {
  const rows = new Map<string, SettlementRow>();
  const operations = new Map<string, LedgerOperation>();
  const byReference = new Map<string, LedgerOperation[]>();
  const note = (row: SettlementRow | LedgerOperation) => {
    if ('op' in row) {
      operations.set(row.op, row);
      byReference.set(row.reference, [...(byReference.get(row.reference) ?? []), row]);
    } else rows.set(row.reference, row);
  };
  if (file) mkdirSync(dirname(file), { recursive: true });
  const fd = file ? openSync(file, 'a+') : null;
  let offset = 0;
  let partial = '';
  let lookedThisTurn = false;
  /** Takes in the lines appended since the last look (by any process): once a turn of
   * the event loop for reads, and always after this process's own appends. */
  const sync = (force = false) => {
    if (fd === null) return;
    if (!force) {
      if (lookedThisTurn) return;
      lookedThisTurn = true;
      setImmediate(() => {
        lookedThisTurn = false;
      });
    }
    const size = fstatSync(fd).size;
    if (size <= offset) return;
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    offset = size;
    const lines = (partial + buf.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) note(JSON.parse(line));
  };
  sync(true);
  let lines: string[] = [];
  let appended: Promise<void> | null = null;
  /** Books a row: appended for every process to read (resolves once it is on the file),
   * or kept here without a file. */
  const write = (value: SettlementRow | LedgerOperation): Promise<void> => {
    if (!file) {
      note(value);
      return Promise.resolve();
    }
    lines.push(`${JSON.stringify(value)}\n`);
    appended ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = lines.join('');
        lines = [];
        appended = null;
        appendFile(file, batch).then(() => {
          sync(true);
          resolve();
        }, reject);
      });
    });
    return appended;
  };
  return {
    async record(row: SettlementRow): Promise<void> {
      sync();
      const prev = rows.get(row.reference);
      if (prev && prev.status === row.status && prev.amount === row.amount) return;
      await write(row);
    },
    between(from: number, to: number): SettlementRow[] {
      sync();
      return [...rows.values()].filter((r) => r.settled_at >= from && r.settled_at < to);
    },
    /** The settled row of one payment, if it settled. */
    settled: (reference: string) => {
      sync();
      return rows.get(reference);
    },
    operation: (op: string) => {
      sync();
      return operations.get(op);
    },
    /** Operations on one payment, oldest first. */
    operationsOn: (reference: string) => {
      sync();
      return byReference.get(reference) ?? [];
    },
    recordOperation(o: LedgerOperation): Promise<void> {
      return write(o);
    },
    /** What the processor's record says a payment is for: its authorisation's amount,
     * currency and Kassa attempt id (test mode), and what was captured. */
    factsOf(reference: string): PaymentFacts | undefined {
      sync();
      const ops = byReference.get(reference) ?? [];
      const auth = ops.find((o) => o.kind === 'authorize');
      if (!auth) return undefined;
      const captured = ops.find((o) => o.kind === 'capture' && o.result.status === 'succeeded');
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

export type Ledger = ReturnType<typeof createLedger>;
