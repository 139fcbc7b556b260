import { createDeps } from '../app.ts';
import { reconcile, toCsv, toRun } from '../reconciliation/reconcile.ts';
import { bootstrap } from './bootstrap.ts';

/** `kassa reconcile --date YYYY-MM-DD [--csv]`: every merchant, one day. */
export async function reconcileCommand(opts: { date?: string; csv: boolean }) {
  if (!opts.date) throw new Error('reconcile: --date YYYY-MM-DD is required');
  const deps = await bootstrap();
  try {
    const run = toRun(await reconcile(createDeps(deps), { date: opts.date, merchantId: null }));
    process.stdout.write(opts.csv ? toCsv(run.rows as never) : `${JSON.stringify(run, null, 2)}\n`);
  } finally {
    await deps.store.close();
  }
}
