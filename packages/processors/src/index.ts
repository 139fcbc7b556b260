export { NotificationError } from './notification-error.ts';
export * from './processor.ts';
export { isRetryable, ProcessorError, processorRefusal } from './processor-error.ts';
export * from './razorpay/index.ts';
export {
  createRedirectProcessor,
  REDIRECT_SIGNATURE_HEADER,
  type RedirectOptions,
  sameOriginPath,
  signRedirectNotification,
} from './redirect/redirect.ts';
export { SANDBOX_SIGNATURE_HEADER, signSandboxNotification } from './sandbox/notifications.ts';
export {
  createSandboxProcessor,
  type SandboxOptions,
  type SandboxProcessor,
} from './sandbox/sandbox.ts';
export { TEST_CARDS, TEST_VPAS } from './sandbox/test-cards.ts';
export {
  createStripeProcessor,
  STRIPE_CREDENTIALS,
  STRIPE_PAGE_SOURCES,
  STRIPE_WEBHOOK_EVENTS,
  type StripeOptions,
  type StripeProcessor,
} from './stripe/stripe.ts';
