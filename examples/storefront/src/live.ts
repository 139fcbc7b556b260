import { EventEmitter } from 'node:events';

/** In-process notice that an order changed, for the pages that follow it live. */
export function createLive() {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    changed: (orderId: string) => bus.emit(orderId),
    walletChanged: (customerId: string) => bus.emit(`wallet:${customerId}`),
    on: (key: string, fn: () => void) => {
      bus.on(key, fn);
      return () => bus.off(key, fn);
    },
  };
}

export type Live = ReturnType<typeof createLive>;
