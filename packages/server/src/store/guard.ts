import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store, StoreRead, StoreTx } from './types.ts';

const inside = new AsyncLocalStorage<'transaction' | 'read'>();

/** Listeners by intent id, for `onIntentChanged`. */
export function intentListeners() {
  const all = new Set<(id: string) => void>();
  return {
    add(listener: (id: string) => void) {
      all.add(listener);
      return () => {
        all.delete(listener);
      };
    },
    emit(id: string) {
      for (const l of all) l(id);
    },
  };
}

/** What a store calls a transaction or read on: the work, and the tx to give it. */
export interface StoreCore {
  kind: Store['kind'];
  onJobsCommitted: Store['onJobsCommitted'];
  onIntentChanged: Store['onIntentChanged'];
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  read<T>(fn: (tx: StoreRead) => Promise<T>): Promise<T>;
  connections?: Store['connections'];
  close(): Promise<void>;
}

/** Methods of StoreTx that write: a read's tx has none of them. */
const WRITES = new Set<string>([
  'setSetting',
  'claimSetting',
  'insertMerchant',
  'updateMerchant',
  'insertApiKey',
  'revokeApiKey',
  'expireApiKey',
  'insertDashboardUser',
  'foldStats',
  'changeDashboardPassword',
  'insertDashboardSession',
  'touchDashboardSession',
  'deleteDashboardSessions',
  'saveProcessorAccount',
  'insertIntent',
  'updateIntent',
  'claimIntentOperation',
  'releaseIntentOperation',
  'reserveRefund',
  'returnRefund',
  'insertAttempt',
  'updateAttempt',
  'insertRefund',
  'updateRefund',
  'insertEvent',
  'insertEndpoint',
  'updateEndpoint',
  'insertDelivery',
  'updateDelivery',
  'insertWebhookAttempt',
  'insertProcessorNotification',
  'insertReconciliationRun',
  'claimIdempotency',
  'bindIdempotency',
  'updateIdempotencyHeld',
  'deleteIdempotencyHeld',
  'purgeIdempotency',
  'hitRateLimit',
  'purgeRateLimits',
  'enqueueJob',
  'claimJobs',
  'claimNextForKey',
  'deleteJob',
  'updateJob',
] satisfies (keyof Omit<StoreTx, keyof StoreRead>)[]);

/** The read-only view of a tx: the same reads, and no write method at all. */
export function readOnly(tx: StoreTx): StoreRead {
  const view: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(tx)) if (!WRITES.has(name)) view[name] = fn;
  return view as unknown as StoreRead;
}

/**
 * The rules every store keeps, in one place: a store call made from inside a
 * transaction or read throws at once, naming the mistake (on SQLite it would wait for
 * itself forever; on PostgreSQL it would take a second connection and could deadlock
 * with its own transaction).
 */
export function guarded(core: StoreCore): Store {
  const enter = <T>(what: 'transaction' | 'read', run: () => Promise<T>): Promise<T> => {
    const outer = inside.getStore();
    if (outer) {
      return Promise.reject(
        new Error(
          `store.${what}() called inside a ${outer}: use the ${outer}'s tx (a nested call cannot see its writes and would wait on it)`,
        ),
      );
    }
    return run();
  };
  return {
    kind: core.kind,
    onJobsCommitted: core.onJobsCommitted,
    onIntentChanged: core.onIntentChanged,
    transaction: (fn) =>
      enter('transaction', () => core.transaction((tx) => inside.run('transaction', () => fn(tx)))),
    read: (fn) => enter('read', () => core.read((tx) => inside.run('read', () => fn(tx)))),
    ...(core.connections && { connections: core.connections }),
    close: () => core.close(),
  };
}
