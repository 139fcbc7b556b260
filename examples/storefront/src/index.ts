export { openShopDb, type ShopDb } from './db/db.ts';
export { applyPaymentEvent, handleEventOnce } from './orders.ts';
export { createShop, type ShopOptions } from './shop.ts';
