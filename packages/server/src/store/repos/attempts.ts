import { insertSql, row, rows, sendUpdate, sql } from '../executor.ts';
import type { AttemptRow, Patch } from '../rows.ts';
import { repository } from './repository.ts';

export interface AttemptReads {
  get(id: string): Promise<AttemptRow | null>;
  byReference(processor: string, reference: string): Promise<AttemptRow | null>;
  /** An intent's attempts, oldest first. */
  ofIntent(intentId: string): Promise<AttemptRow[]>;
  /** Attempts at a processor created in [from, to). */
  between(processor: string, from: number, to: number): Promise<AttemptRow[]>;
  /** Declined attempts on an intent from one client (one the shopper left is not one). */
  countFailed(intentId: string, clientKey: string): Promise<number>;
  /** Attempts still waiting on their first answer from the processor (pending, with no
   * reference) that began at or before `before`, oldest first. */
  inFlight(before: number, limit: number): Promise<AttemptRow[]>;
}

export interface AttemptWrites {
  insert(row: AttemptRow): Promise<void>;
  update(id: string, patch: Patch<AttemptRow>): Promise<void>;
}

export const attemptsRepository = repository<AttemptReads, AttemptWrites>((ex, d) => {
  const c = d.codecs.attempts;
  return {
    read: {
      get: (id) => row(ex, c, sql`SELECT * FROM payment_attempts WHERE id = ${id}`),
      byReference: (processor, reference) =>
        row(
          ex,
          c,
          sql`SELECT * FROM payment_attempts
            WHERE processor = ${processor} AND processor_reference = ${reference}`,
        ),
      ofIntent: (intentId) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM payment_attempts WHERE intent_id = ${intentId} ORDER BY created_at, id`,
        ),
      between: (processor, from, to) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM payment_attempts
            WHERE processor = ${processor} AND created_at >= ${from} AND created_at < ${to}`,
        ),
      countFailed: async (intentId, clientKey) => {
        const [r] = await ex.all(
          ...sql`SELECT count(*) AS n FROM payment_attempts
            WHERE intent_id = ${intentId} AND client_key = ${clientKey} AND status = 'failed'
              AND (decline_code IS NULL OR decline_code <> 'abandoned')`.args,
        );
        return Number(r?.n ?? 0);
      },
      inFlight: (before, limit) =>
        rows(
          ex,
          c,
          sql`SELECT * FROM payment_attempts
            WHERE status = 'pending' AND processor_reference IS NULL AND created_at <= ${before}
            ORDER BY created_at LIMIT ${limit}`,
        ),
    },
    write: {
      insert: async (r) => {
        const q = insertSql(c, r);
        ex.send(q.text, q.params);
      },
      update: async (id, patch) => sendUpdate(ex, c, patch, { id }),
    },
  };
});
