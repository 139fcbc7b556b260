import type { Deps } from '../deps.ts';
import { reconcileOnce } from './reconcile.ts';

/**
 * A worker chore: once a day, after `KASSA_RECONCILE_DAILY_AT` (UTC), reconcile the
 * previous day over every merchant, unless that run already exists.
 */
export function dailyReconciliation(deps: Deps) {
  return async () => {
    const at = deps.config.reconcileDailyAt;
    if (!at) return;
    const now = new Date(deps.clock.now());
    const [h, m] = at.split(':').map(Number) as [number, number];
    if (now.getUTCHours() * 60 + now.getUTCMinutes() < h * 60 + m) return;
    const date = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
    const once = `daily_reconciliation:${date}`;
    if (await deps.store.read((tx) => tx.settings.get(once))) return;
    // Every worker may get here at once; the database keeps the first run of the day.
    const run = await reconcileOnce(deps, { date, merchantId: null, once });
    if (!run) return;
    deps.logger.info(
      { run: run.id, date, summary: (run.report as { summary: unknown }).summary },
      'daily reconciliation',
    );
  };
}
