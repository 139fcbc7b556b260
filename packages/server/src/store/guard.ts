import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store } from './types.ts';

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

/**
 * Whether stores check how they are called (see `guarded`): in the tests, and wherever
 * KASSA_STORE_CHECKS=1. The check follows every promise (AsyncLocalStorage), which costs
 * the whole process on Node 20, so a gateway in production runs without it.
 */
export const storeChecks = () =>
  process.env.KASSA_STORE_CHECKS === '1' ||
  (process.env.KASSA_STORE_CHECKS !== '0' && process.env.VITEST !== undefined);

let inside: AsyncLocalStorage<'transaction' | 'read'> | undefined;

/**
 * The rule every store keeps, in one place: a store call made from inside a transaction
 * or read throws at once, naming the mistake (on SQLite it would wait for itself forever;
 * on PostgreSQL it would take a second connection and could deadlock with its own
 * transaction). Only when `storeChecks()`; otherwise the store as it is.
 */
export function guarded(store: Store): Store {
  if (!storeChecks()) return store;
  inside ??= new AsyncLocalStorage();
  const als = inside;
  const enter = <T>(what: 'transaction' | 'read', run: () => Promise<T>): Promise<T> => {
    const outer = als.getStore();
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
    ...store,
    transaction: (fn) =>
      enter('transaction', () => store.transaction((tx) => als.run('transaction', () => fn(tx)))),
    once: (fn) =>
      enter('transaction', () => store.once((tx) => als.run('transaction', () => fn(tx)))),
    read: (fn) => enter('read', () => store.read((tx) => als.run('read', () => fn(tx)))),
  };
}
