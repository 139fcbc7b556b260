export {
  FAKE_STRIPE_CARDS,
  type FakeStripe,
  type FakeStripeFault,
  type FakeStripeRequest,
  STRIPE_PARAMS,
  startFakeStripe,
  type WebhookTarget,
} from './fake-stripe.ts';
export { FAKE_STRIPE_JS } from './fake-stripe-js.ts';
