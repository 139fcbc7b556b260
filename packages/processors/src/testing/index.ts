export {
  FAKE_STRIPE_CARDS,
  type FakeStripe,
  type FakeStripeRequest,
  startFakeStripe,
} from '../stripe/testing/fake-stripe.ts';
export {
  kassaFormFixtures,
  type PaymentStart,
  type ProcessorFixtures,
  type Scenario,
  testProcessor,
} from './processor-suite.ts';
