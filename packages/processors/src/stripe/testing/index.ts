export type { WebhookTarget } from '../../fakes/webhook-outbox.ts';
export {
  FAKE_STRIPE_CARDS,
  type FakeStripe,
  type FakeStripeFault,
  type FakeStripeRequest,
  STRIPE_PARAMS,
  startFakeStripe,
} from './fake-stripe.ts';
export { FAKE_STRIPE_JS } from './fake-stripe-js.ts';
