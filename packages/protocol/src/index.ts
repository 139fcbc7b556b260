export * from './errors.ts';
export * from './event.ts';
export * from './ids.ts';
export * from './metadata.ts';
export * from './money.ts';
export * from './payment-attempt.ts';
export * from './payment-intent.ts';
export * from './payment-method.ts';
