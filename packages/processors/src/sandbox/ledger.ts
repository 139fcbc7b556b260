import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SettlementRow } from '../processor.ts';

/**
 * What the sandbox "processor" settled, by reference: the source of its settlement
 * reports. Kept in memory and, when given a file, appended to it as JSON lines so that
 * reports survive a restart.
 */
export function createLedger(file?: string) {
  const rows = new Map<string, SettlementRow>();
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as SettlementRow;
      rows.set(row.reference, row);
    }
  }
  if (file) mkdirSync(dirname(file), { recursive: true });
  return {
    record(row: SettlementRow) {
      const prev = rows.get(row.reference);
      if (prev && prev.status === row.status && prev.amount === row.amount) return;
      rows.set(row.reference, row);
      if (file) appendFileSync(file, `${JSON.stringify(row)}\n`);
    },
    between(from: number, to: number): SettlementRow[] {
      return [...rows.values()].filter((r) => r.settled_at >= from && r.settled_at < to);
    },
  };
}
