/**
 * Runs async sections one at a time, in order. SQLite has one writer and we share one
 * connection, so a transaction must not see another's statements in between its awaits.
 */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return function withLock<T>(fn: () => Promise<T>): Promise<T> {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };
}
