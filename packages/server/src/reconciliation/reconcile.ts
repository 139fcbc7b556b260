import type { SettlementRow } from '@kassa/processors';
import { isTerminal, randomToken } from '@kassa/protocol';
import type { Deps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
import { moveIntent } from '../intents/transition.ts';
import type { AttemptRow, IntentRow, ReconciliationRunRow, StoreTx } from '../store/types.ts';

/** Seed 004's four cases, seen from the gateway's ledger against the processor's books. */
export type ReconciliationCase =
  | 'kassa_failed_processor_succeeded'
  | 'both_failed'
  | 'kassa_succeeded_processor_failed'
  | 'both_succeeded'
  | 'in_progress'
  | 'amount_mismatch'
  /** The processor's record differs from the intent (amount, currency, mode, ids): never
   * recorded as paid; the row carries the processor's own amount and currency. */
  | 'processor_mismatch'
  /** Paid late on an attempt the shopper had left, and given back automatically. */
  | 'returned';

export interface ReconciliationRow {
  reference: string;
  processor: string;
  payment_intent: string | null;
  merchant: string | null;
  amount: number;
  currency: string;
  kassa_status: string;
  processor_status: string;
  case: ReconciliationCase;
  action: string;
}

const DAY = 86_400_000;

export function dayBounds(date: string) {
  const from = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(from)) {
    throw new ApiError(400, 'parameter_invalid', 'date must be YYYY-MM-DD.', { param: 'date' });
  }
  return { from, to: from + DAY };
}

const PAID = new Set(['succeeded', 'authorized']);

/**
 * The processor took the money but the gateway has the attempt as declined or still
 * waiting: the attempt and the intent become succeeded, with their event (and so
 * webhooks), through the status machine.
 */
async function recordMissedSuccess(
  tx: StoreTx,
  attempt: AttemptRow,
  now: number,
  publicUrl: string,
) {
  const intent = await tx.intents.get(attempt.intentId);
  if (!intent || isTerminal(intent.status) || intent.latestAttemptId !== attempt.id) return;
  await tx.attempts.update(attempt.id, {
    status: 'succeeded',
    declineCode: null,
    failureMessage: null,
    updatedAt: now,
  });
  await moveIntent(
    tx,
    intent,
    {
      status: 'succeeded',
      amountReceived: intent.amount,
      amountCapturable: 0,
      lastPaymentError: null,
      nextAction: null,
    },
    { event: 'payment_intent.succeeded', now, publicUrl },
  );
}

/**
 * Compares the gateway's payments of a day with each processor's settlement report,
 * sorts every payment into seed 004's cases, and fixes what is safe to fix: a success
 * the gateway missed on a payment still open is recorded, with its events and webhooks.
 * The rest is reported with the action to take.
 */
export async function reconcile(
  deps: Deps,
  o: { date: string; merchantId: string | null; livemode?: boolean | null },
): Promise<ReconciliationRunRow> {
  return (await reconcileOnce(deps, o)) as ReconciliationRunRow;
}

/** `reconcile`, for a run made once only (`o.once` names it): when several workers make
 * it at once, the first to commit keeps it and the others store nothing (null). */
export async function reconcileOnce(
  deps: Deps,
  /** One merchant's payments in one mode, or (both null) every merchant's. */
  o: {
    date: string;
    merchantId: string | null;
    livemode?: boolean | null;
    once?: string;
  },
): Promise<ReconciliationRunRow | null> {
  const { store, clock } = deps;
  const { from, to } = dayBounds(o.date);
  const rows: ReconciliationRow[] = [];
  // Test and live payments never meet in one report.
  const inMode = (intent: IntentRow) => o.livemode == null || intent.livemode === o.livemode;

  for (const {
    id: processorId,
    processor,
    merchantId,
    livemode,
  } of await deps.routing.everyAdapter()) {
    if (!processor.settlementReport) continue;
    // A merchant's own account reports only that merchant's payments in its mode.
    if (merchantId && o.merchantId && merchantId !== o.merchantId) continue;
    if (livemode != null && o.livemode != null && livemode !== o.livemode) continue;
    const report: SettlementRow[] = await processor.settlementReport({ from, to: to + DAY });
    const books = new Map(report.map((r) => [r.reference, r]));
    const attempts = await store.read((tx) => tx.attempts.between(processorId, from, to));
    const seen = new Set<string>();

    for (const attempt of attempts) {
      if (!attempt.processorReference) continue;
      if (o.merchantId && attempt.merchantId !== o.merchantId) continue;
      if (merchantId && attempt.merchantId !== merchantId) continue;
      seen.add(attempt.processorReference);
      const intent = await store.read((tx) => tx.intents.get(attempt.intentId));
      if (!intent || !inMode(intent)) continue;
      if (livemode != null && intent.livemode !== livemode) continue;
      rows.push(
        await compare(attempt, intent, books.get(attempt.processorReference) ?? null, processorId),
      );
    }
    // Payments the processor settled that the gateway has no attempt for.
    for (const entry of report) {
      if (seen.has(entry.reference) || entry.settled_at < from || entry.settled_at >= to) continue;
      const attempt = await store.read((tx) =>
        tx.attempts.byReference(processorId, entry.reference),
      );
      if (
        attempt &&
        (seen.has(entry.reference) || (o.merchantId && attempt.merchantId !== o.merchantId))
      )
        continue;
      if (o.merchantId && !attempt) continue;
      if (attempt && o.livemode != null) {
        const intent = await store.read((tx) => tx.intents.get(attempt.intentId));
        if (!intent || !inMode(intent)) continue;
      }
      rows.push({
        reference: entry.reference,
        processor: processorId,
        payment_intent: attempt?.intentId ?? null,
        merchant: attempt?.merchantId ?? null,
        amount: entry.amount,
        currency: entry.currency,
        kassa_status: 'unknown',
        processor_status: entry.status,
        case: entry.status === 'succeeded' ? 'kassa_failed_processor_succeeded' : 'both_failed',
        action:
          entry.status === 'succeeded'
            ? 'Unknown to the gateway: investigate, then refund or record.'
            : 'None.',
      });
    }
  }

  async function compare(
    attempt: AttemptRow,
    intent: IntentRow,
    entry: SettlementRow | null,
    processor: string,
  ) {
    const kassaPaid = PAID.has(attempt.status);
    const base = {
      reference: attempt.processorReference as string,
      processor,
      payment_intent: intent.id,
      merchant: intent.merchantId,
      amount: entry?.amount ?? intent.amount,
      currency: intent.currency,
      kassa_status: intent.status,
      processor_status: entry?.status ?? 'none',
    };
    if (attempt.status === 'returned') {
      return {
        ...base,
        case: 'returned' as const,
        action: 'Paid after the shopper left it; given back automatically. None.',
      };
    }
    const differs =
      attempt.declineCode === 'processor_mismatch' ||
      (entry !== null &&
        (entry.currency.toUpperCase() !== intent.currency.toUpperCase() ||
          (!kassaPaid && entry.status === 'succeeded' && entry.amount !== intent.amount)));
    if (differs) {
      return {
        ...base,
        amount: entry?.amount ?? base.amount,
        currency: entry?.currency.toUpperCase() ?? base.currency,
        case: 'processor_mismatch' as const,
        action:
          entry?.status === 'succeeded'
            ? 'The processor took money that does not match this payment (its amount and currency are shown): not recorded as paid. Refund it at the processor, or contact the shopper.'
            : "The processor's record does not match this payment: not recorded as paid. Check it in the processor's dashboard.",
      };
    }
    if (entry?.status === 'succeeded' && !kassaPaid) {
      const current = intent.latestAttemptId === attempt.id && !isTerminal(intent.status);
      if (current) {
        // Safe to fix: the intent is open and still follows this attempt.
        await store.transaction((tx) =>
          recordMissedSuccess(tx, attempt, clock.now(), deps.config.publicUrl),
        );
        return {
          ...base,
          case: 'kassa_failed_processor_succeeded' as const,
          action: 'Recorded the missed success (events and webhooks sent).',
        };
      }
      return {
        ...base,
        case: 'kassa_failed_processor_succeeded' as const,
        action: 'Money taken on a closed payment: refund it, or honour the order.',
      };
    }
    if (kassaPaid && entry?.status !== 'succeeded') {
      if (!entry && attempt.status === 'authorized')
        return { ...base, case: 'in_progress' as const, action: 'Held; not settled yet.' };
      return {
        ...base,
        case: 'kassa_succeeded_processor_failed' as const,
        action:
          'Investigate: the processor did not settle a payment the gateway recorded as paid; hold the goods.',
      };
    }
    if (kassaPaid && entry && entry.amount !== (intent.amountReceived || intent.amount)) {
      return {
        ...base,
        case: 'amount_mismatch' as const,
        action: 'Investigate: settled amount differs.',
      };
    }
    if (kassaPaid) return { ...base, case: 'both_succeeded' as const, action: 'None.' };
    if (!entry && !['failed'].includes(attempt.status))
      return { ...base, case: 'in_progress' as const, action: 'Not settled yet.' };
    return { ...base, case: 'both_failed' as const, action: 'None.' };
  }

  const summary: Record<string, number> = {};
  for (const r of rows) summary[r.case] = (summary[r.case] ?? 0) + 1;
  const run: ReconciliationRunRow = {
    id: `rcn_${randomToken(24)}`,
    merchantId: o.merchantId,
    livemode: o.livemode ?? null,
    date: o.date,
    report: { summary, rows },
    createdAt: clock.now(),
  };
  const once = o.once;
  const stored = await store.transaction(async (tx) => {
    if (once && !(await tx.settings.claim(once, run.id))) return false;
    await tx.reconciliation.insert(run);
    return true;
  });
  return stored ? run : null;
}

const CSV_COLUMNS: (keyof ReconciliationRow)[] = [
  'reference',
  'processor',
  'payment_intent',
  'merchant',
  'amount',
  'currency',
  'kassa_status',
  'processor_status',
  'case',
  'action',
];

/** The report as CSV, one row per payment. */
export function toCsv(rows: ReconciliationRow[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    // OWASP's CSV injection rule: text a spreadsheet would run as a formula (a reference
    // at the processor, an action) starts with a quote; numbers stay numbers.
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[
    CSV_COLUMNS.join(','),
    ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(',')),
  ].join('\n')}\n`;
}

export function toRun(run: ReconciliationRunRow) {
  const report = run.report as { summary: Record<string, number>; rows: ReconciliationRow[] };
  return {
    id: run.id,
    object: 'reconciliation_run' as const,
    date: run.date,
    created: Math.floor(run.createdAt / 1000),
    summary: report.summary,
    rows: report.rows,
    csv_url: `/v1/reconciliation_runs/${run.id}/csv`,
  };
}
