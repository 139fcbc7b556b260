import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SettlementRow } from '../processor.ts';

/** A money-moving call the sandbox carried out, by the gateway's operation id. */
export interface SandboxOperation {
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
 * What the sandbox "processor" settled, by reference — the source of its settlement
 * reports — and every capture, cancel and refund it carried out, by operation id, as a
 * real processor's idempotency records. Kept in memory and, when given a file, appended
 * to it as JSON lines so that both survive a restart.
 */
export function createLedger(file?: string) {
  const rows = new Map<string, SettlementRow>();
  const operations = new Map<string, SandboxOperation>();
  const byReference = new Map<string, SandboxOperation[]>();
  const noteOperation = (o: SandboxOperation) => {
    operations.set(o.op, o);
    byReference.set(o.reference, [...(byReference.get(o.reference) ?? []), o]);
  };
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as SettlementRow | SandboxOperation;
      if ('op' in row) noteOperation(row);
      else rows.set(row.reference, row);
    }
  }
  if (file) mkdirSync(dirname(file), { recursive: true });
  const append = (value: unknown) => {
    if (file) appendFileSync(file, `${JSON.stringify(value)}\n`);
  };
  return {
    record(row: SettlementRow) {
      const prev = rows.get(row.reference);
      if (prev && prev.status === row.status && prev.amount === row.amount) return;
      rows.set(row.reference, row);
      append(row);
    },
    between(from: number, to: number): SettlementRow[] {
      return [...rows.values()].filter((r) => r.settled_at >= from && r.settled_at < to);
    },
    operation: (op: string) => operations.get(op),
    /** Operations on one payment, oldest first. */
    operationsOn: (reference: string) => byReference.get(reference) ?? [],
    recordOperation(o: SandboxOperation) {
      noteOperation(o);
      append(o);
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
