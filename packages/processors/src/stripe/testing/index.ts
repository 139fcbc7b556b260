export {
  FAKE_STRIPE_CARDS,
  type FakeStripe,
  type FakeStripeRequest,
  startFakeStripe,
  type WebhookTarget,
} from './fake-stripe.ts';
export { FAKE_STRIPE_JS } from './fake-stripe-js.ts';
